"""Neuron types from strings: ``"nengo.LIF(tau_ref=0.001)"`` -> ``nengo.LIF(...)``.

:func:`resolve_neuron_type` accepts an instance, a class or a string naming a
`nengo.neurons.NeuronType` subclass (dotted, or bare and looked up in
:data:`NEURON_TYPE_PACKAGES`) with optional keyword arguments that are Python
literals (numbers, strings, tuples...; never evaluated code).
:func:`neuron_type_label` is the short label the workbench prints.
"""

import ast
import importlib
import math

from nengo.neurons import NeuronType

__all__ = [
    "MAX_SPEC_LENGTH",
    "NEURON_TYPE_PACKAGES",
    "neuron_type_label",
    "resolve_neuron_type",
]

#: Packages searched, in order, for a neuron type given by its bare class name.
NEURON_TYPE_PACKAGES = ("nengo_tuning", "nengo")
#: Longest neuron-type string accepted, in characters.
MAX_SPEC_LENGTH = 500


def _is_non_finite_number(value):
    return isinstance(value, (int, float)) and not math.isfinite(value)


def _literal_keywords(call, spec):
    """Keyword arguments of a parsed call, which must all be Python literals."""
    if call.args:
        raise ValueError(
            f"neuron type {spec!r}: give parameters as keywords, "
            "e.g. 'nengo.LIF(tau_ref=0.001)'"
        )
    params = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            raise ValueError(f"neuron type {spec!r}: '**' arguments are not supported")
        try:
            value = ast.literal_eval(keyword.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise ValueError(
                f"neuron type {spec!r}: the value of {keyword.arg!r} must be a "
                "Python literal (a number, string, tuple, ...)"
            ) from None
        if _is_non_finite_number(value):
            raise ValueError(
                f"neuron type {spec!r}: {keyword.arg} must be a finite number"
            )
        params[keyword.arg] = value
    return params


def _import_dotted(name, spec):
    """Import ``package.module.Class`` (or a bare class name) and return it."""
    if "." in name:
        module_name, _, attr = name.rpartition(".")
        candidates = [(module_name, attr)]
    else:
        candidates = [(package, name) for package in NEURON_TYPE_PACKAGES]
    for module_name, attr in candidates:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, attr):
            return getattr(module, attr)
    raise ValueError(
        f"unknown neuron type {spec!r}; use a dotted name such as 'nengo.LIF', "
        "'nengo.LIFRate', 'nengo_tuning.ExactLIF' or 'nengo_tuning.SoftLIFRate'"
    )


def _parse_spec(spec):
    """The class and the keyword arguments named by a neuron-type string."""
    if len(spec) > MAX_SPEC_LENGTH:
        raise ValueError(
            f"neuron type {spec[:30]!r}...: {len(spec)} characters; at most "
            f"{MAX_SPEC_LENGTH} are allowed"
        )
    try:
        tree = ast.parse(spec.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ValueError(f"cannot parse neuron type {spec!r}") from None
    params = {}
    if isinstance(tree, ast.Call):
        params = _literal_keywords(tree, spec)
        tree = tree.func
    name = ast.unparse(tree)
    if not all(part.isidentifier() for part in name.split(".")):
        raise ValueError(f"cannot parse neuron type {spec!r}")
    return _import_dotted(name, spec), params


def resolve_neuron_type(neuron_type, **params):
    """Return a neuron type instance from an instance, a class or a name.

    Parameters
    ----------
    neuron_type : NeuronType or type or str
        A `nengo.neurons.NeuronType` instance (returned as is, unless ``params``
        are given), a subclass of it (instantiated), or a string: a dotted name
        such as ``"nengo.LIF"`` or ``"nengo_tuning.ExactLIF"``, a bare class name
        looked up in `nengo_tuning` and then `nengo` (``"ExactLIF"``), optionally
        with literal keyword arguments (``"nengo.LIF(tau_ref=0.001)"``).
    **params
        Parameters passed to the constructor (they override those in the string).

    Returns
    -------
    neuron_type : NeuronType
        The neuron type instance.

    Raises
    ------
    ValueError
        If the name does not resolve to a `nengo.neurons.NeuronType` subclass or
        the parameters are not finite literals (nengo's own ValidationError, a
        ValueError too, for parameter values it refuses).
    """
    if isinstance(neuron_type, NeuronType):
        if not params:
            return neuron_type
        neuron_type = type(neuron_type)
    if isinstance(neuron_type, str):
        spec = neuron_type
        neuron_type, string_params = _parse_spec(spec)
        params = {**string_params, **params}
    else:
        spec = repr(neuron_type)
    is_neuron_type = isinstance(neuron_type, type) and issubclass(
        neuron_type, NeuronType
    )
    if not is_neuron_type:
        raise ValueError(f"{spec!r} is not a nengo neuron type")
    try:
        return neuron_type(**params)
    except TypeError as error:
        raise ValueError(f"cannot create neuron type {spec!r}: {error}") from None


def neuron_type_label(neuron_type):
    """A short label for a neuron type: its package and repr, e.g. ``nengo.LIF``.

    Parameters
    ----------
    neuron_type : NeuronType
        The neuron type.

    Returns
    -------
    label : str
        ``package.ClassName``, followed by the non-default parameters in
        parentheses when there are any (``nengo.LIF(tau_ref=0.001)``).
    """
    package = type(neuron_type).__module__.split(".")[0]
    return f"{package}.{repr(neuron_type).removesuffix('()')}"
