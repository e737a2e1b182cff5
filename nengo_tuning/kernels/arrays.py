"""The checks every step kernel makes on its arrays before it runs.

The compiled kernels index every array by the length of ``J``, without bounds
checks; a state array of another length would be read and written past its
end. So each kernel refuses, touching nothing, what it cannot step exactly as
given. In-place kernels (numpy, compiled) take 1-d arrays of one length and one
floating-point dtype, and write ``output`` and the state arrays, which must
therefore be writeable. The array-namespace form (numpy, TensorFlow) returns new
arrays and takes arrays of one shape (NengoDL passes ``(minibatch, n)``).
Strided (non-contiguous) views are accepted by every kernel and stepped as
their contiguous copies would be.
"""

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
