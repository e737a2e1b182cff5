"""The formulas of :mod:`nengo_tuning.math` in TensorFlow.

:mod:`nengo_tuning.math` writes each formula once, as an ``_xp`` function over any
numpy-like array namespace. This module supplies that namespace for TensorFlow
(:data:`tf_xp`) and wraps the rate curves with their analytic derivatives as
gradients. It imports TensorFlow but not NengoDL, so the NengoDL builders and a
plain Keras activation can share it.
"""

import numpy as np
import tensorflow as tf

from nengo_tuning.math import lif, softlif

#: Compile the exact spiking step with XLA (``tf.function(jit_compile=True)``).
#: Set to False before building a simulator to run it op by op instead (for
#: example on a device where XLA is unavailable); the results are the same.
JIT_COMPILE = True


def _as_tensors(*args):
    """Convert Python and numpy values to tensors of the first float tensor's dtype.

    TensorFlow does not promote ``0.0`` to float64 the way numpy does when it is
    the first argument of an op, so ``where(c, 0.0, x64)`` would fail without this.
    """
    dtype = next(
        (a.dtype for a in args if tf.is_tensor(a) and a.dtype.is_floating), None
    )
    return [
        a if tf.is_tensor(a) else tf.convert_to_tensor(a, dtype=dtype) for a in args
    ]


def _elementwise(tf_fn):
    """A numpy-like function: ``tf_fn`` of its arguments, through ``_as_tensors``."""
    return staticmethod(lambda *args: tf_fn(*_as_tensors(*args)))


class _TFNamespace:
    """The numpy-like functions that the ``_xp`` functions use."""

    log = _elementwise(tf.math.log)
    log1p = _elementwise(tf.math.log1p)
    exp = _elementwise(tf.math.exp)
    expm1 = _elementwise(tf.math.expm1)
    abs = _elementwise(tf.math.abs)
    floor = _elementwise(tf.math.floor)
    ceil = _elementwise(tf.math.ceil)
    maximum = _elementwise(tf.maximum)
    minimum = _elementwise(tf.minimum)
    isnan = _elementwise(tf.math.is_nan)
    isfinite = _elementwise(tf.math.is_finite)

    @staticmethod
    def where(condition, x, y):
        # the condition is boolean: only the two branches share a float dtype
        return tf.where(condition, *_as_tensors(x, y))

    @staticmethod
    def any(mask):
        return tf.reduce_any(mask)

    @staticmethod
    def all(mask):
        return tf.reduce_all(mask)

    # The control flow of nengo_tuning.math.adaptive_lif's while_any_xp and
    # if_any_xp, as graph ops: the loop runs until no element is pending (at most
    # max_iterations times), the conditional takes one branch on the device

    @staticmethod
    def while_any(pending, body, loop_vars, max_iterations):
        return tuple(
            tf.while_loop(
                lambda *loop_vars: tf.reduce_any(pending(*loop_vars)),
                lambda *loop_vars: tuple(body(*loop_vars)),
                tuple(loop_vars),
                maximum_iterations=max_iterations,
            )
        )

    @staticmethod
    def if_any(mask, then, otherwise):
        return tf.cond(tf.reduce_any(mask), then, otherwise)


#: Array namespace over TensorFlow for :mod:`nengo_tuning.math`'s ``_xp`` functions.
tf_xp = _TFNamespace()


def with_derivative(rate_fn, derivative_fn):
    """Return ``f(J) = rate_fn(J)`` whose gradient is ``derivative_fn(J)``.

    Autodiff through the masked formulas of :mod:`nengo_tuning.math` would differentiate
    the branch structure (for instance ``maximum(y, 0)`` at ``y = 0``) rather
    than the curve; the analytic derivative is exact, finite, and cheaper. Both
    are compiled with XLA (see :data:`JIT_COMPILE`): each is a few dozen
    element-wise ops that XLA fuses into one pass. The derivative is computed
    only in the backward pass, so a rate used without a gradient (inference)
    costs the rate alone; see :func:`with_stored_derivative` for training.
    """
    if JIT_COMPILE:
        rate_fn = tf.function(rate_fn, jit_compile=True)
        derivative_fn = tf.function(derivative_fn, jit_compile=True)

    @tf.custom_gradient
    def rate_of_current(J):
        def grad(upstream):
            return upstream * derivative_fn(J)

        return rate_fn(J), grad

    return rate_of_current


def with_stored_derivative(rate_and_derivative_fn):
    """The rate of ``rate_and_derivative_fn(J)``, with its derivative as gradient.

    For functions only ever called where a gradient follows (training): the
    rate and the derivative are computed in one compiled call (see
    :data:`JIT_COMPILE`), sharing their terms, and the backward pass reuses the
    stored derivative. For SoftLIF, forward and backward at 32 x 10 000 on a
    CPU take 0.7 of :func:`with_derivative`'s time with TensorFlow 2.21, about
    the same time with 2.12.
    """
    if JIT_COMPILE:
        rate_and_derivative_fn = tf.function(rate_and_derivative_fn, jit_compile=True)

    @tf.custom_gradient
    def rate_of_current_in_training(J):
        rate, derivative = rate_and_derivative_fn(J)

        def grad(upstream):
            return upstream * derivative

        return rate, grad

    return rate_of_current_in_training


def _check_sigma_is_normal(sigma):
    """Raise ``ValueError`` if a constant ``sigma`` tensor holds a subnormal (or 0).

    TensorFlow flushes subnormal numbers to zero, so that the SoftLIF formulas
    would meet ``sigma = 0`` (NaN at ``J = 1``).
    """
    if not tf.is_tensor(sigma):
        return
    value = tf.get_static_value(sigma)
    if value is None:
        return
    dtype = sigma.dtype.as_numpy_dtype
    tiny = float(np.finfo(dtype).tiny)
    if np.any(np.asarray(value) < tiny):
        raise ValueError(
            f"sigma={np.min(value)!r} (as {sigma.dtype.name}) is below the smallest "
            f"normal {sigma.dtype.name} number, {tiny:g}, which TensorFlow flushes "
            "to zero: use a larger sigma, or float64 "
            "(nengo_dl.configure_settings(dtype=tf.float64)) for sigma >= 2.2e-308"
        )


def softlif_rate_tf(sigma, tau_rc, tau_ref, amplitude=1.0, for_training=False):
    """TensorFlow SoftLIF rate function of ``J`` with its analytic gradient.

    ``for_training``: the form for training (:func:`with_stored_derivative`).
    Raises ``ValueError`` for a constant ``sigma`` tensor that is not a normal
    number of its dtype: TensorFlow flushes subnormals to zero.
    """
    _check_sigma_is_normal(sigma)
    params = (sigma, tau_rc, tau_ref, amplitude, tf_xp)
    if for_training:
        return with_stored_derivative(
            lambda J: softlif.softlif_rate_and_derivative_xp(J, *params)
        )
    return with_derivative(
        lambda J: softlif.softlif_rate_xp(J, *params),
        lambda J: softlif.softlif_rate_derivative_xp(J, *params),
    )


def lif_rate_tf(
    tau_rc, tau_ref, amplitude=1.0, min_j=lif.LIF_GRAD_MIN_J, for_training=False
):
    """TensorFlow LIF rate function of ``J`` with the capped LIF slope as gradient.

    ``for_training``: the form for training (:func:`with_stored_derivative`).
    """
    params = (tau_rc, tau_ref, amplitude)
    if for_training:
        return with_stored_derivative(
            lambda J: lif.lif_rate_and_derivative_xp(J, *params, min_j=min_j, xp=tf_xp)
        )
    return with_derivative(
        lambda J: lif.lif_rate_xp(J, *params, xp=tf_xp),
        lambda J: lif.lif_rate_derivative_xp(J, *params, min_j=min_j, xp=tf_xp),
    )
