r"""The measurement behind `nengo_tuning.audit`: the spikes an ensemble loses.

**Definition.** For an ensemble built by Nengo (``eval_points``,
``scaled_encoders``, which hold gain and radius, and ``bias``), each eval point
:math:`x_p` and neuron :math:`i` give the constant current
:math:`J_{pi} = x_p \cdot \tilde e_i + b_i`. The ensemble's neuron type, from
its ``make_state``, is stepped at ``dt`` on every such current for
:math:`T = 2` s (rounded to a whole number of steps, :math:`T = n\,\Delta t`),
as Nengo steps it (a ``RatesToSpikesNeuronType`` such as
`nengo.RegularSpiking`: its base type, then itself). With
:math:`S_{pi} = \sum_t \mathrm{output}_{pi}(t)\,\Delta t` (the spike count,
times the type's ``amplitude`` as in its rates) and
:math:`r_{pi}` = ``neuron_type.rates(J_pi, 1, 0)``,

.. math:: \mathrm{spike\_loss} = 1 - \frac{\sum S_{pi}}{T \sum r_{pi}}.

It is the fraction of the rate curve's spikes that are lost (negative if the
type emits more). Nengo solves decoders from the rate curve, so this is the
fraction by which the spiking ensemble's activity falls short of what its
decoders assume.

**Adaptive types.** The ``rates()`` of `nengo.AdaptiveLIF` and
`~nengo_tuning.neurons.ExactAdaptiveLIF` is the unadapted LIF curve: their
spikes fall short of it at every ``dt``, by the adaptation, not by the time
step. For these two types (exactly these, see `exact_reference`), the
reference is instead the exact continuous-time count of the same neuron:
``ExactAdaptiveLIF`` with the same parameters, stepped from the same initial
state on the same currents over the same :math:`T` (in steps of about
`REFERENCE_STEP`; it emits the same spikes at any step), so that

.. math:: \mathrm{spike\_loss} = 1 - \frac{\sum S_{pi}}{\sum S^{\mathrm{exact}}_{pi}}

is the fraction of the neuron's spikes lost to the time step (0 for
``ExactAdaptiveLIF``), and the decoded error below compares with
:math:`S^{\mathrm{exact}}_{pi} / T` instead of :math:`r_{pi}`. The adaptation's
own shortfall against the rate curve is not in it. Other types whose spikes
do not settle to their ``rates()`` (``nengo.RegularSpiking(nengo.AdaptiveLIFRate())``,
a user's adaptive type) are measured against ``rates()``; a loss that does not
fall with ``dt`` is then reported as not the time step's.

**Resolution.** Over :math:`T` a neuron's count depends on its initial state by
up to one spike, so the loss is known to within
``resolution`` :math:`= 1 / (T \bar r)`, with :math:`\bar r` the mean rate of
the (point, neuron) pairs that fire: 1 % at 50 Hz, 0.17 % at 300 Hz.

**Sampling.** The cost is bounded independently of the ensemble's size:

* at most `MAX_POINTS` eval points and `MAX_NEURONS` neurons are drawn at
  random (without replacement) before anything else;
* of their pairs, those that the rate curve says fire are sorted by current and
  at most ``MAX_ELEMENT_STEPS / n`` of them (between `MIN_PAIRS` and
  `MAX_PAIRS`) are taken at evenly spaced ranks; a tenth as many of the silent
  pairs likewise. Each sample stands for its stratum in proportion, so the
  estimate is a stratified one. Loss depends on a pair only through its
  current, and evenly spaced ranks cover the currents' whole distribution, so
  the sampling error is small next to the resolution (the tests compare sampled
  and complete measurements).

The decoded error uses a second sample (see
`~.model_audit.EnsembleAudit`): at most `DECODE_NEURONS` neurons at 4 to
32 eval points, fewer points where ``dt`` is small. The search for a safe
``dt`` (only when the loss exceeds the threshold) adds one loss measurement per
``dt`` tried; an exact reference (adaptive types, above) one run in steps of
about `REFERENCE_STEP` per measurement. `cost_bound` gives the most
neuron-steps one ensemble's audit takes (about 5e6 at 1 ms without the
search): it does not depend on the ensemble's size, but it grows as ``1 / dt``
below 0.1 ms (7e7 at 10 us, 7e11 at 1 ns). `~.model_audit.audit` refuses, before
any work, a ``dt`` whose bound exceeds its ``max_neuron_steps``
(`DEFAULT_MAX_NEURON_STEPS`, 2e8, by default: about 15 s of stepping on this
project's test machine; every ``dt`` that ``nengo-tuning audit`` accepts,
1e-5 to 0.1 s, is within it). Building the network itself is not bounded: it
is the user's model.

**Types that emit negative spikes** (``negative = True``) are measured on
magnitudes, :math:`|S|` and :math:`|r|`.
"""

import dataclasses

import nengo
import numpy as np

#: Time (s) each constant current is held (T in the definition).
DURATION = 2.0
#: Loss above which the recommendation changes something (and warnings warn).
DEFAULT_THRESHOLD = 0.01
#: Eval points drawn from an ensemble before anything else.
MAX_POINTS = 1000
#: Neurons drawn from an ensemble before anything else.
MAX_NEURONS = 1000
#: Neuron-steps (pairs x steps) one loss measurement aims at...
MAX_ELEMENT_STEPS = 2_000_000
#: ...but never fewer firing pairs than this...
MIN_PAIRS = 100
#: ...nor more than this.
MAX_PAIRS = 20_000
#: Neurons of the decoded-error sample.
DECODE_NEURONS = 64
#: Fewest and most eval points of the decoded-error sample.
DECODE_POINTS = (4, 32)
#: Smallest dt the search for a safe dt tries.
MIN_SEARCH_DT = 1e-4
#: Step (s) of the run of an exact reference type (`exact_reference`).
REFERENCE_STEP = 0.005
#: Default limit on the neuron-steps (`cost_bound`) of one ensemble's audit.
DEFAULT_MAX_NEURON_STEPS = 200_000_000

MEASURED = "measured"
RATE_MODEL = "rate model"
DIRECT = "direct"
NOT_MEASURABLE = "not measurable"

_COARSE_MANTISSAS = (1.0, 2.0, 5.0)
_FINE_MANTISSAS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)


# --- which types can be measured


def rate_curve_problem(neuron_type):
    """Why ``neuron_type`` has no rate curve to measure against ('' if it has)."""
    if isinstance(neuron_type, nengo.neurons.RatesToSpikesNeuronType):
        return rate_curve_problem(neuron_type.base_type)
    if isinstance(neuron_type, nengo.Izhikevich):
        return (
            f"{type(neuron_type).__name__}'s rates() simulates its own step "
            "(nengo.neurons.settled_firingrate), so there is no independent rate "
            "curve to compare with"
        )
    if type(neuron_type).rates is nengo.neurons.NeuronType.rates:
        return (
            f"{type(neuron_type).__name__} has no rate curve of its own "
            "(NeuronType's generic rates() steps it with no state)"
        )
    return ""


def exact_replacement(neuron_type):
    """A type with the same rate curve that emits all its spikes, or None."""
    from nengo_tuning import neurons

    if type(neuron_type) is nengo.LIF:
        return neurons.ExactLIF(
            tau_rc=neuron_type.tau_rc,
            tau_ref=neuron_type.tau_ref,
            min_voltage=neuron_type.min_voltage,
            amplitude=neuron_type.amplitude,
            initial_state=neuron_type.initial_state,
        )
    exact_adaptive = getattr(neurons, "ExactAdaptiveLIF", None)
    if type(neuron_type) is nengo.AdaptiveLIF and exact_adaptive is not None:
        parameters = ("tau_n", "inc_n", "tau_rc", "tau_ref", "min_voltage")
        kwargs = {name: getattr(neuron_type, name) for name in parameters}
        return exact_adaptive(
            **kwargs,
            amplitude=neuron_type.amplitude,
            initial_state=neuron_type.initial_state,
        )
    return None


def exact_reference(neuron_type):
    """The exact type whose count is the reference, or None (``T * rates()``).

    `~nengo_tuning.neurons.ExactAdaptiveLIF` with ``neuron_type``'s parameters
    for `nengo.AdaptiveLIF` and for ``ExactAdaptiveLIF`` itself (exactly these
    types, not subclasses, whose dynamics may differ).
    """
    from nengo_tuning import neurons

    exact_adaptive = getattr(neurons, "ExactAdaptiveLIF", None)
    if exact_adaptive is not None and type(neuron_type) is exact_adaptive:
        return neuron_type
    if type(neuron_type) is nengo.AdaptiveLIF:
        return exact_replacement(neuron_type)
    return None


# --- the measurement


class NotMeasurable(Exception):
    """The loss cannot be measured (the message says why)."""


class NeuronTypeFailed(NotMeasurable):
    """The neuron type's own ``rates``, ``make_state`` or ``step`` raised."""


def _call(neuron_type, method, *args):
    """``neuron_type.method(*args)``; what a (user's) type raises is reported."""
    try:
        return getattr(neuron_type, method)(*args)
    except Exception as error:  # a user's type may raise anything
        raise NeuronTypeFailed(
            f"{type(neuron_type).__name__}.{method}() raised "
            f"{type(error).__name__}: {error}"
        ) from error


class _Stepper:
    """Steps a neuron type on constant currents as Nengo's builder would."""

    def __init__(self, neuron_type, n_pairs, rng):
        stages = [neuron_type]
        if isinstance(neuron_type, nengo.neurons.RatesToSpikesNeuronType):
            # built as two operators: the base type's rates feed the spiking one
            stages.insert(0, neuron_type.base_type)
        self.stages = [
            (stage, _call(stage, "make_state", n_pairs, rng, np.float64))
            for stage in stages
        ]
        self.buffers = [np.zeros(n_pairs) for _ in self.stages]

    def count(self, dt, currents, n_steps):
        """Sum of output * dt over ``n_steps`` steps, per pair."""
        total = np.zeros(len(currents))
        try:
            for _ in range(n_steps):
                value = currents
                for (neuron_type, state), output in zip(self.stages, self.buffers):
                    neuron_type.step(dt, value, output, **state)
                    value = output
                total += value
        except Exception as error:  # as in _call (the try is outside the loop)
            raise NeuronTypeFailed(
                f"{type(neuron_type).__name__}.step() raised "
                f"{type(error).__name__}: {error}"
            ) from error
        return total * dt


def _n_steps(dt):
    return max(1, round(DURATION / dt))


def _pair_budget(n_steps):
    return int(np.clip(MAX_ELEMENT_STEPS // n_steps, MIN_PAIRS, MAX_PAIRS))


def _loss_pairs(n_steps):
    """Most pairs a loss measurement over ``n_steps`` steps takes."""
    budget = _pair_budget(n_steps)
    return budget + max(1, budget // 10)


def _decode_points(n_steps, n_neurons):
    low, high = DECODE_POINTS
    return int(np.clip(MAX_ELEMENT_STEPS // (n_steps * n_neurons), low, high))


def cost_bound(dt, search=True, neuron_type=None):
    """The most neuron-steps (pairs x steps) one ensemble's audit at ``dt`` takes.

    Parameters
    ----------
    dt : float
        The audited time step.
    search : bool
        Include the search for a safe dt (every dt it may try, each once).
    neuron_type : nengo.neurons.NeuronType or None
        The ensemble's type: the run of its exact reference (`exact_reference`)
        is counted only if it has one. None: the bound for any type.
    """
    has_reference = neuron_type is None or exact_reference(neuron_type) is not None

    def steps(candidate):
        n = _n_steps(candidate)
        return n + (_reference_steps(n * candidate) if has_reference else 0)

    n_steps = _n_steps(dt)
    pairs = _loss_pairs(n_steps) + DECODE_NEURONS * _decode_points(
        n_steps, DECODE_NEURONS
    )
    total = pairs * steps(dt)
    if search:
        for candidate in _candidate_dts(dt, _FINE_MANTISSAS):
            total += _loss_pairs(_n_steps(candidate)) * steps(candidate)
    return total


def check_max_neuron_steps(max_neuron_steps):
    """``max_neuron_steps`` (None: no limit), or a ValidationError naming it."""
    if max_neuron_steps is None:
        return None
    value = float(max_neuron_steps)
    if not value > 0:
        raise nengo.exceptions.ValidationError(
            f"must be a positive number of neuron-steps, or None for no limit "
            f"(got {max_neuron_steps!r})",
            attr="max_neuron_steps",
        )
    return value


def over_the_limit(dt, search, max_neuron_steps, neuron_type=None):
    """Why auditing an ensemble at ``dt`` exceeds ``max_neuron_steps`` ('' if not)."""
    if max_neuron_steps is None:
        return ""
    bound = cost_bound(dt, search, neuron_type)
    if bound <= max_neuron_steps:
        return ""
    return (
        f"auditing an ensemble at dt = {dt:g} s may take up to {bound:.3g} "
        f"neuron-steps (cost_bound), more than max_neuron_steps = "
        f"{max_neuron_steps:.3g}"
    )


def _evenly_ranked(indices, keys, n):
    """``n`` of ``indices`` at evenly spaced ranks of ``keys``."""
    if n >= len(indices):
        return indices
    ordered = indices[np.argsort(keys[indices], kind="stable")]
    return ordered[((np.arange(n) + 0.5) * len(ordered) / n).astype(int)]


@dataclasses.dataclass
class Population:
    """The drawn eval points and neurons of one ensemble, with their currents."""

    points: np.ndarray  # (P, d)
    currents: np.ndarray  # (P, n)
    rates: np.ndarray  # (P, n), the rate curve at those currents
    total_pairs: int


def population_of(neuron_type, built, rng):
    points = np.asarray(built.eval_points, dtype=float)
    points = points.reshape(len(points), -1)
    encoders = np.asarray(built.scaled_encoders, dtype=float)
    bias = np.asarray(built.bias, dtype=float)
    total = len(points) * len(bias)
    point_rows = np.sort(rng.permutation(len(points))[:MAX_POINTS])
    neuron_rows = np.sort(rng.permutation(len(bias))[:MAX_NEURONS])
    points = points[point_rows]
    currents = points @ encoders[neuron_rows].T + bias[neuron_rows]
    # one current per sample (gain 1, bias 0): rates() takes them as a column
    rates = np.asarray(
        _call(neuron_type, "rates", currents.ravel(), 1.0, 0.0), dtype=float
    )
    return Population(points, currents, rates.reshape(currents.shape), total)


class _LossSample:
    """The stratified sample of (point, neuron) pairs for the loss."""

    def __init__(self, population, n_pairs):
        currents = population.currents.ravel()
        rates = np.abs(population.rates.ravel())
        firing = np.flatnonzero(rates > 0)
        silent = np.flatnonzero(~(rates > 0))
        chosen_firing = _evenly_ranked(firing, currents, n_pairs)
        chosen_silent = _evenly_ranked(silent, currents, max(1, n_pairs // 10))
        self.indices = np.concatenate([chosen_firing, chosen_silent])
        self.weights = np.concatenate(
            [
                np.full(len(chosen_firing), len(firing) / max(len(chosen_firing), 1)),
                np.full(len(chosen_silent), len(silent) / max(len(chosen_silent), 1)),
            ]
        )
        self.currents = currents[self.indices]
        self.rates = rates[self.indices]
        self.n_firing = len(chosen_firing)

    def use_reference(self, counts, duration):
        """Measure against an exact reference's ``counts`` instead of the rates."""
        self.rates = np.abs(counts) / duration
        if not np.any(self.rates > 0):
            raise NotMeasurable(
                "its exact reference emits no spike over T at the sampled currents"
            )

    def loss(self, spikes, duration):
        expected = duration * np.sum(self.weights * self.rates)
        return float(1.0 - np.sum(self.weights * np.abs(spikes)) / expected)

    def resolution(self, duration):
        firing = self.rates > 0
        mean_rate = np.average(self.rates[firing], weights=self.weights[firing])
        return float(1.0 / (duration * mean_rate))


def _decode_sample(population, n_steps, rng):
    """Neurons, their decoders and the eval points of the decoded-error sample."""
    n_points, n_neurons = population.currents.shape
    neurons = np.sort(rng.permutation(n_neurons)[:DECODE_NEURONS])
    n_decode_points = _decode_points(n_steps, len(neurons))
    points = np.sort(rng.permutation(n_points)[:n_decode_points])
    rates = population.rates[:, neurons]
    decoders, _ = nengo.solvers.LstsqL2()(rates, population.points, rng=rng)
    return neurons, points, decoders


def _reference_steps(duration):
    return max(1, round(duration / REFERENCE_STEP))


def _copy_of(rng):
    copy = np.random.RandomState()
    copy.set_state(rng.get_state())
    return copy


def _count(neuron_type, currents, dt, n_steps, rng, reference):
    """Counts of ``neuron_type`` at ``dt`` and, if ``reference`` is a type, its
    counts over the same time from the same initial state (else None); and the
    neuron-steps taken."""
    reference_rng = None if reference is None else _copy_of(rng)
    spikes = _Stepper(neuron_type, len(currents), rng).count(dt, currents, n_steps)
    cost = len(currents) * n_steps
    if reference is None:
        return spikes, None, cost
    m = _reference_steps(n_steps * dt)
    stepper = _Stepper(reference, len(currents), reference_rng)
    exact = stepper.count(n_steps * dt / m, currents, m)
    return spikes, exact, cost + len(currents) * m


def _measure_loss(neuron_type, sample, dt, rng):
    n_steps = _n_steps(dt)
    reference = exact_reference(neuron_type)
    spikes, exact, cost = _count(
        neuron_type, sample.currents, dt, n_steps, rng, reference
    )
    if exact is not None:
        sample.use_reference(exact, n_steps * dt)
    return sample.loss(spikes, n_steps * dt), cost


def _candidate_dts(below, mantissas, low=MIN_SEARCH_DT):
    exponents = range(int(np.floor(np.log10(low))) - 1, int(np.log10(below)) + 2)
    values = {float(f"{m * 10.0**k:.6g}") for k in exponents for m in mantissas}
    return sorted(v for v in values if low <= v < below * (1 - 1e-9))


@dataclasses.dataclass
class DtSearch:
    """What the search for a safe dt found (see `largest_good_dt`)."""

    largest_dt: float | None = None  # the largest dt tried with loss <= threshold
    smallest_tried: float | None = None  # where the search stopped without one
    loss_there: float | None = None
    cost: int = 0  # neuron-steps


def largest_good_dt(neuron_type, population, dt, threshold, rng):
    """The largest dt below ``dt`` whose loss is at most ``threshold``.

    Tries ``{1, 2, 5} x 10^k`` downwards from ``dt`` to `MIN_SEARCH_DT`; from
    the first that passes, tries finer values (``1, 1.2, 1.5, 2, 2.5, 3, 4, 5,
    6, 8 x 10^k``) upwards to the last that failed, and keeps the last one that
    passes before one fails. The loss is not always monotonic in dt (a neuron
    near a multiple of 1/dt), hence "tried".
    """
    search = DtSearch()

    def good(candidate):
        sample = _LossSample(population, _pair_budget(_n_steps(candidate)))
        loss, steps = _measure_loss(neuron_type, sample, candidate, rng)
        search.cost += steps
        search.smallest_tried, search.loss_there = candidate, loss
        return loss <= threshold

    failed_above = dt
    for candidate in reversed(_candidate_dts(dt, _COARSE_MANTISSAS)):
        if good(candidate):
            break
        failed_above = candidate
    else:
        return search
    for finer in _candidate_dts(failed_above, _FINE_MANTISSAS, low=candidate):
        if finer > candidate and not good(finer):
            break
        candidate = finer
    search.largest_dt, search.smallest_tried, search.loss_there = candidate, None, None
    return search


def measure(neuron_type, population, dt, radius, rng):
    """Loss, decoded error, resolution and cost at ``dt`` (a dict of fields)."""
    n_steps = _n_steps(dt)
    sample = _LossSample(population, _pair_budget(n_steps))
    neurons, points, decoders = _decode_sample(population, n_steps, rng)
    decode_currents = population.currents[np.ix_(points, neurons)]
    # one run for both samples: the per-step overhead is paid once
    currents = np.concatenate([sample.currents, decode_currents.ravel()])
    reference = exact_reference(neuron_type)
    spikes, exact, cost = _count(neuron_type, currents, dt, n_steps, rng, reference)
    duration = n_steps * dt
    n_loss = len(sample.currents)
    expected_rates = population.rates[np.ix_(points, neurons)]
    if exact is not None:
        sample.use_reference(exact[:n_loss], duration)
        expected_rates = exact[n_loss:].reshape(decode_currents.shape) / duration
    loss = sample.loss(spikes[:n_loss], duration)
    spiking_rates = spikes[n_loss:].reshape(decode_currents.shape)
    spiking_rates /= duration
    rate_error = spiking_rates - expected_rates
    # in units of the radius before squaring: decoders scale with the radius,
    # and squared, an error of a radius near 1e155 or more would overflow
    decoded_error = (rate_error @ decoders) / radius
    error = np.sqrt(np.mean(np.sum(decoded_error**2, axis=1)))
    return {
        "spike_loss": loss,
        "decode_error": float(error),
        "resolution": sample.resolution(duration),
        "sampled_pairs": len(currents),
        "element_steps": cost,
    }
