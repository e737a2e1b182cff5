"""The checks every step kernel makes on its inputs before it runs.

The compiled kernels index every array by the length of ``J``, without bounds
checks; a state array of another length would be read and written past its
end. So each kernel refuses, touching nothing, what it cannot step exactly as
given. In-place kernels (numpy, compiled) take 1-d arrays of one length and one
floating-point dtype, and write ``output`` and the state arrays, which must
therefore be writeable and must not share memory with each other or with ``J``
(the kernels would otherwise read values they have just written, and the two
kernels read them in different orders). The array-namespace form (numpy,
TensorFlow) returns new arrays and takes arrays of one shape (NengoDL passes
``(minibatch, n)``). Strided (non-contiguous) views are accepted by every kernel
and stepped as their contiguous copies would be.

The time step ``dt`` must be a positive, finite number (:func:`checked_dt`): a
step of NaN, infinite, zero or negative length has no meaning, and would leave
NaN or infinite state behind.
"""

import math
import weakref

import numpy as np


def _fail(message):
    raise ValueError(f"{message} (a neuron step takes J, output and the state arrays)")


def _describe_in_place_problem(arrays):
    """The first reason the ``{name: array}`` cannot be stepped in place, or None."""
    (j_name, J), *others = arrays.items()
    for name, array in arrays.items():
        if not isinstance(array, np.ndarray):
            return f"{name} is a {type(array).__name__}, not a numpy array"
        if array.ndim != 1:
            return (
                f"{name} is {array.ndim}-d, with shape {array.shape}: 1-d arrays only"
            )
    if not np.issubdtype(J.dtype, np.floating):
        return f"{j_name} has dtype {J.dtype.name}: floating-point arrays only"
    reference_name = j_name if others else None
    for name, array in others:
        if array.shape[0] != J.shape[0]:
            return (
                f"{name} has {array.shape[0]} elements, but {reference_name} has "
                f"{J.shape[0]}: all must have one length"
            )
        if array.dtype != J.dtype:
            return (
                f"{name} has dtype {array.dtype.name}, but {j_name} has "
                f"{J.dtype.name}: all must have one floating-point dtype"
            )
        if not array.flags.writeable:
            return f"{name} is read-only: the step writes it in place"
    return None


def checked_dt(dt):
    """``dt`` as a Python float, or a ValueError naming it.

    Any real number is taken (a Python or numpy scalar, a 0-d array) if it is
    positive and finite; not a string or a bool, which ``float`` would convert.
    """
    if dt.__class__ is float and 0.0 < dt < math.inf:  # (what nengo passes)
        return dt
    try:
        if isinstance(dt, (str, bytes, bool, np.bool_)):
            raise TypeError
        value = float(dt)
    except (TypeError, ValueError):
        raise ValueError(
            f"dt must be a number of seconds; got {dt!r} (a neuron step's time step)"
        ) from None
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(
            f"dt must be positive and finite; got {value!r} (a neuron step's time "
            "step)"
        )
    return value


#: Sets of arrays found not to share memory, by their ids: ``{ids: weak
#: references}``. An entry is removed as soon as one of its arrays is freed
#: (whose id another array could then take), so a key present is a set of live
#: arrays already checked. A simulator steps each ensemble with the same arrays
#: every time.
_distinct_sets = {}

#: How many sets ``_distinct_sets`` keeps (it is emptied when full).
MAX_REMEMBERED_SETS = 512


def _remember_distinct(key, arrays):
    if len(_distinct_sets) >= MAX_REMEMBERED_SETS:
        _distinct_sets.clear()

    def forget(_reference, key=key):
        _distinct_sets.pop(key, None)

    try:
        _distinct_sets[key] = [weakref.ref(array, forget) for array in arrays]
    except TypeError:  # (not weakly referenceable: checked again each time)
        _distinct_sets.pop(key, None)


def require_distinct_arrays(names, J, *written):
    """Raise a ValueError naming two of the arrays that share memory.

    A step reads ``J`` and the state while it writes ``output`` and the state,
    so no written array may overlap another. The sets of arrays found distinct
    are remembered while they live, so the steps of a simulator, which pass
    each ensemble the same arrays every time, cost a dictionary lookup instead
    of a memory comparison of every pair.
    """
    key = (id(J), *map(id, written))
    if key in _distinct_sets:
        return
    arrays = (J, *written)
    for index, array in enumerate(arrays):
        for other_index in range(index + 1, len(arrays)):
            other = arrays[other_index]
            if np.may_share_memory(array, other) and np.shares_memory(array, other):
                _fail(
                    f"{names[index]} and {names[other_index]} share memory: the "
                    "step writes its output and state arrays in place, so each "
                    "must be an array of its own"
                )
    _remember_distinct(key, arrays)


def in_place_arrays_fit(J, *written):
    """Whether ``J`` and the arrays a step writes can be stepped in place.

    The kernels run this on every step, so it makes only the cheapest
    comparisons; :func:`check_in_place_arrays` says why not.
    """
    try:
        shape = J.shape
        dtype = J.dtype
        if len(shape) != 1 or dtype.kind != "f":
            return False
        for array in written:
            if (
                array.shape != shape
                or array.dtype != dtype
                or not array.flags.writeable
            ):
                return False
    except AttributeError:  # not arrays: check_in_place_arrays says which
        return False
    return True


def require_in_place_arrays(names, J, *written):
    """Raise a ValueError naming the first array that cannot be stepped in place.

    Parameters
    ----------
    names : sequence of str
        The arrays' names, ``J``'s first, for the message.
    J : numpy.ndarray
        The input currents.
    *written : numpy.ndarray
        ``output`` and the state arrays, which the step writes.
    """
    if not in_place_arrays_fit(J, *written):
        check_in_place_arrays(**dict(zip(names, (J, *written))))
    require_distinct_arrays(names, J, *written)


def check_in_place_arrays(**arrays):
    """Raise a ValueError naming the array if the arrays cannot be stepped in place.

    Parameters
    ----------
    **arrays : numpy.ndarray
        ``J`` first, then ``output`` and the state arrays, by the names the
        message should use.
    """
    problem = _describe_in_place_problem(arrays)
    if problem is not None:
        _fail(problem)


def _static_shape(array):
    return tuple(getattr(array, "shape", ()))


def check_same_shapes(**arrays):
    """Raise a ValueError naming the array if the arrays' shapes differ.

    For the array-namespace form, which broadcasts silently otherwise. Works
    with any array that has a ``shape`` (numpy arrays, TensorFlow tensors,
    whose unknown dimensions compare as equal).
    """
    (j_name, J), *others = arrays.items()
    shape = _static_shape(J)
    for name, array in others:
        other = _static_shape(array)
        if other != shape:
            _fail(
                f"{name} has shape {other}, but {j_name} has shape {shape}: all "
                "must have one shape"
            )
