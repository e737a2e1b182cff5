"""What the compiled (numba) kernels share: compiling, refusing what they cannot step.

A compiled kernel indexes every array by the length of ``J``, without bounds
checks. So each kernel's compiled entry first returns a status
(:data:`ACCEPTED`, :data:`REFUSED` for input the numpy kernel must step, or
:data:`LENGTHS_DIFFER`) before it writes anything, and numba itself refuses to
compile a kernel for multi-dimensional or read-only arrays (it writes them),
also before anything runs. :func:`run_checked` turns both refusals into the
ValueError of :mod:`.arrays` that names the array, and checks the rest of the
input first: ``dt`` (:func:`.arrays.checked_dt`), arrays that share memory
(:func:`.arrays.require_distinct_arrays`), and it passes the parameters as
Python floats: numba compiles a kernel anew (seconds) for each new combination
of argument types, such as a ``numpy.float32`` time constant, and refuses some
types outright (``numpy.longdouble``).
"""

import numpy as np

from nengo_tuning.kernels.arrays import (
    checked_dt,
    require_distinct_arrays,
    require_in_place_arrays,
)

try:  # pragma: no cover (depends on the environment)
    import numba
except ImportError:  # pragma: no cover
    numba = None

#: Whether numba is installed, so that the compiled kernels can run.
AVAILABLE = numba is not None

#: What a compiled kernel says of its input before it touches anything.
ACCEPTED, REFUSED, LENGTHS_DIFFER = 0, 1, 2

_FLOAT64 = np.dtype(np.float64)

if AVAILABLE:  # pragma: no cover (depends on the environment)
    _COMPILE_ERRORS = (numba.core.errors.NumbaError,)
else:  # pragma: no cover
    _COMPILE_ERRORS = ()


def compile_kernel(function, inline=False):
    """``function`` compiled by numba, its machine code cached where possible.

    error_model="numpy": IEEE division (no zero-divisor check and branch; no
    divisor can be 0 for accepted input), which lets loops vectorize.
    cache=True: compiling takes about a second; numba keeps the machine code in
    this package's ``__pycache__`` (keyed by source, numba version and CPU), or in
    the user's cache folder if that is read-only, so that later processes load
    it in milliseconds. Where neither is writable, numba refuses to cache, and
    every process compiles anew. ``inline``: the function's body is written into
    each compiled caller (numba's ``inline="always"``), for a helper called in a
    hot loop, where the call itself would cost as much as the work.
    """
    options = {
        "nogil": True,
        "error_model": "numpy",
        "inline": "always" if inline else "never",
    }
    try:
        return numba.njit(cache=True, **options)(function)
    except RuntimeError:  # pragma: no cover ("no locator available")
        return numba.njit(cache=False, **options)(function)


def float64_arrays(names, arrays):
    """True for float64 arrays; False, touching nothing, for arrays of another
    floating dtype, all alike (the numpy kernel steps those); a ValueError
    naming the array for the rest. (Identity tests first: they cost nothing on
    every step.)"""
    if not AVAILABLE:
        raise ImportError("the compiled kernel needs numba (pip install numba)")
    try:
        for array in arrays:
            if array.dtype is not _FLOAT64:
                break
        else:
            return True
    except AttributeError:
        pass
    require_in_place_arrays(names, *arrays)
    return arrays[0].dtype == _FLOAT64


def run_checked(step, names, dt, arrays, params, float_params=None):
    """Whether the compiled ``step`` took the step; a ValueError naming the
    array it refused for its lengths, its dimensions, a read-only array or
    arrays that share memory, or naming ``dt`` if that is not a positive finite
    number.

    ``step(dt, *arrays, *params)`` returns its status, and must write (or, in a
    branch never taken, be written to write) every array it writes before it
    writes any, so that numba's refusal of a read-only array comes first. The
    first ``float_params`` parameters (all by default) are passed as floats.
    """
    dt = checked_dt(dt)
    require_distinct_arrays(names, *arrays)
    count = len(params) if float_params is None else float_params
    params = (*map(float, params[:count]), *params[count:])
    try:
        status = step(dt, *arrays, *params)
    except _COMPILE_ERRORS:
        require_in_place_arrays(names, *arrays)
        raise
    if status == LENGTHS_DIFFER:
        require_in_place_arrays(names, *arrays)
    return status == ACCEPTED
