"""Parameters and checks shared by the neuron types.

Every numeric parameter is validated when set: NaN is refused for all of them,
and infinity wherever it has no meaning (all but ``min_voltage = -inf``, which
means "never clipped"), with a `nengo.exceptions.ValidationError` naming the
parameter. (``SoftLIF(sigma=inf)``, for instance, would silently zero every
training gradient.)
"""

import math

import numpy as np
from nengo.dists import Distribution
from nengo.exceptions import ValidationError
from nengo.params import NumberParam
from nengo.utils.numpy import is_array, is_integer, is_number


class FiniteNumberParam(NumberParam):
    """A `nengo.params.NumberParam` that refuses NaN and infinite values.

    Parameters
    ----------
    name, low, high, low_open, high_open
        As for `nengo.params.NumberParam`.
    allow_neg_inf : bool
        Accept ``-inf`` (for a lower bound that may be absent).
    """

    def __init__(self, name, allow_neg_inf=False, **kwargs):
        self.allow_neg_inf = allow_neg_inf
        super().__init__(name, **kwargs)

    def coerce(self, instance, num):  # pylint: disable=arguments-renamed
        value = num.item() if is_array(num) and num.shape == () else num
        if is_integer(value) and not is_finite_as_float(value):
            # (an integer is finite, but the kernels compute in floats)
            raise ValidationError(
                "Must be within the range of a float; got an integer of "
                f"{len(str(abs(value)))} digits",
                attr=self.name,
                obj=instance,
            )
        non_finite = is_number(value) and not is_integer(value)
        non_finite = non_finite and not math.isfinite(value)
        if non_finite and not (self.allow_neg_inf and value == -math.inf):
            allowed = "a finite number or -inf" if self.allow_neg_inf else "finite"
            raise ValidationError(
                f"Must be {allowed}; got {value}", attr=self.name, obj=instance
            )
        return super().coerce(instance, num)


def is_finite_as_float(value):
    """Whether the integer ``value`` is a finite float once converted."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def time_constant(name, low_open=True):
    """A finite, positive (or, with ``low_open=False``, non-negative) time."""
    return FiniteNumberParam(name, low=0, low_open=low_open)


def as_float_arrays(*arrays):
    return [np.asarray(np.atleast_1d(a), dtype=float) for a in arrays]


def check_max_rates_intercepts(neuron_type, max_rates, intercepts):
    """Validate ``max_rates`` and ``intercepts`` for an LIF-like curve."""
    max_rates, intercepts = as_float_arrays(max_rates, intercepts)
    inv_tau_ref = 1.0 / neuron_type.tau_ref if neuron_type.tau_ref > 0 else np.inf
    if not np.all((max_rates > 0) & (max_rates < inv_tau_ref)):
        raise ValidationError(
            f"max_rates must be above 0 and below the inverse refractory period "
            f"1/tau_ref = {inv_tau_ref:0.3f} Hz (got values in "
            f"[{np.min(max_rates):g}, {np.max(max_rates):g}])",
            attr="max_rates",
            obj=neuron_type,
        )
    if not np.all(intercepts < 1):
        raise ValidationError(
            f"intercepts must be below 1 (got a maximum of {np.max(intercepts):g})",
            attr="intercepts",
            obj=neuron_type,
        )
    return max_rates, intercepts


def check_finite_initial_state(neuron_type):
    """Reject array-like initial states holding NaN or infinite values."""
    for name, value in (neuron_type.initial_state or {}).items():
        if isinstance(value, Distribution):
            continue
        if not np.all(np.isfinite(np.asarray(value, dtype=float))):
            raise ValidationError(
                f"Initial state '{name}' must be finite",
                attr="initial_state",
                obj=neuron_type,
            )


def _first_non_finite(values):
    values = np.ravel(values)
    return values[~np.isfinite(values)][0]


def state_of_one_value_per_neuron(neuron_type, state, n_neurons):
    """``state`` with one value per neuron in each array, or a ValidationError.

    nengo's ``make_state`` takes an array-valued initial state as it is given;
    the step kernels need one value per neuron (a compiled kernel would
    otherwise index past the array's end). A single number is used for every
    neuron. Every value must be finite, including those sampled from a
    Distribution (the state would otherwise be NaN from the first step).
    """
    for name, value in state.items():
        if not np.all(np.isfinite(value)):
            # (an array given as the initial state was checked when it was set;
            # a Distribution's samples can only be checked here)
            raise ValidationError(
                f"Initial state '{name}' must be finite: its values for these "
                f"{n_neurons} neurons include {_first_non_finite(value)}",
                attr="initial_state",
                obj=neuron_type,
            )
        if value.shape == ():
            state[name] = np.full(n_neurons, value, dtype=value.dtype)
        elif value.shape != (n_neurons,):
            raise ValidationError(
                f"Initial state '{name}' has shape {value.shape}, but the ensemble "
                f"has {n_neurons} neurons: give one value per neuron, a single "
                "number, or a Distribution",
                attr="initial_state",
                obj=neuron_type,
            )
    return state
