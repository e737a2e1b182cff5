"""Which kernel the neuron types' ``step`` runs: a setting, scoped by ``use``.

``"compiled"`` (the default): the compiled kernel (numba) wherever it can take
the step (float64 state, finite input), the numpy kernel elsewhere and on
machines without numba. ``"numpy"``: the numpy kernel only, as on a machine
without numba; for comparisons, or to rule the compiled kernel out. Both give
the same results (tests hold them equal).

The setting lives in a :class:`contextvars.ContextVar`, so :func:`use` scopes it
to a ``with`` block (and to one thread or task); its default comes from the
environment variable ``NENGO_TUNING_KERNEL`` (``compiled`` or ``numpy``) when
the package is imported (an unknown name there warns and is ignored).
"""

import contextlib
import contextvars
import os
import warnings

#: The kernels that can be chosen, each with what it means.
KERNELS = {
    "compiled": "the compiled kernel (numba) where it applies, else numpy",
    "numpy": "the numpy kernel only",
}

#: The environment variable that sets the default kernel for a process.
ENVIRONMENT_VARIABLE = "NENGO_TUNING_KERNEL"


def _checked(name, source):
    if name not in KERNELS:
        choices = ", ".join(repr(choice) for choice in KERNELS)
        raise ValueError(f"{source} must be one of {choices}; got {name!r}")
    return name


def _default_kernel():
    """The environment's choice; an unknown one warns (a typo must show) and is
    ignored, rather than make every ``import nengo_tuning`` fail."""
    name = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() or "compiled"
    try:
        return _checked(name, ENVIRONMENT_VARIABLE)
    except ValueError as error:
        warnings.warn(f"{error}: ignored, using 'compiled'", RuntimeWarning, 2)
        return "compiled"


#: The kernel outside every ``use`` block (from the environment, at import).
DEFAULT = _default_kernel()

_current = contextvars.ContextVar("nengo_tuning_kernel")


def current():
    """The name of the kernel chosen here and now (a key of :data:`KERNELS`)."""
    return _current.get(DEFAULT)


@contextlib.contextmanager
def use(kernel):
    """Run the neuron types' steps with ``kernel`` inside a ``with`` block.

    Parameters
    ----------
    kernel : {"compiled", "numpy"}
        See :data:`KERNELS`.

    Examples
    --------
    >>> import nengo_tuning
    >>> with nengo_tuning.kernels.use("numpy"):
    ...     nengo_tuning.kernels.current()
    'numpy'
    """
    token = _current.set(_checked(kernel, "kernel"))
    try:
        yield kernel
    finally:
        _current.reset(token)
