"""Neuron types from strings: ``"nengo.LIF(tau_ref=0.001)"`` -> ``nengo.LIF(...)``.

:func:`resolve_neuron_type` accepts an instance, a class or a string naming a
`nengo.neurons.NeuronType` subclass (dotted, or bare and looked up in
:data:`NEURON_TYPE_PACKAGES`) with optional keyword arguments that are Python
literals (numbers, strings, tuples...; never evaluated code).
:func:`neuron_type_label` is the short label the workbench prints.

What a name may import
----------------------
A string names a class in one of the packages that define neuron types,
:data:`NEURON_TYPE_PACKAGES` (or their submodules), or in a module the caller
names explicitly (``modules``; on the command line ``--neuron-module``).
Nothing else is imported: ``"this.LIF"`` does not print the Zen of Python and
``"evilmod.LIF"`` does not import ``./evilmod.py``; both are refused before any
import. One of those packages is imported only where it is installed: a
``nengo_ocl.py`` (or ``nengo_ocl/``) in the current folder, which ``python -m``
and ``python -c`` put on ``sys.path``, is never imported in its place. What
the name resolves to must be a `nengo.neurons.NeuronType` subclass.

A module named explicitly that cannot be found is a `ValueError` (one line); one
that raises while it is imported raises ``NeuronModuleError``, which carries the
exception (the command shows its traceback as the user's code's).
"""

import ast
import importlib
import importlib.util
import inspect
import math
import os
import sys

from nengo.neurons import NeuronType

__all__ = [
    "MAX_SPEC_LENGTH",
    "NEURON_TYPE_PACKAGES",
    "NeuronModuleError",
    "check_runnable",
    "neuron_type_label",
    "resolve_neuron_type",
]

#: Packages that define neuron types: the only ones a name may import (besides
#: the modules named explicitly), and the ones searched, in order, for a bare
#: class name (those that are installed).
NEURON_TYPE_PACKAGES = (
    "nengo_tuning",
    "nengo",
    "nengo_dl",
    "nengo_extras",
    "nengo_loihi",
    "nengo_ocl",
)
#: Longest neuron-type string accepted, in characters.
MAX_SPEC_LENGTH = 500


class NeuronModuleError(Exception):
    """A module named explicitly raised an exception while it was imported.

    Attributes
    ----------
    module_name : str
        The module.
    error : BaseException
        What its code raised (also the ``__cause__``).
    filename : str or None
        The module's file, where its traceback starts.
    """

    def __init__(self, module_name, error, filename=None):
        super().__init__(
            f"importing {module_name!r} raised {type(error).__name__}: {error}"
        )
        self.module_name = module_name
        self.error = error
        self.filename = filename


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
        if keyword.arg in params:
            raise ValueError(
                f"neuron type {spec!r}: {keyword.arg} is given twice (Python "
                "refuses a repeated keyword too)"
            )
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


def _may_import(module_name, modules):
    """Whether a name may import ``module_name`` (see the module docstring)."""
    if module_name in modules:
        return True
    return module_name.split(".")[0] in NEURON_TYPE_PACKAGES


def _locations(spec):
    """The files and folders an import spec would load from."""
    found = []
    if spec.origin and os.path.isabs(spec.origin):
        found.append(spec.origin)
    found += list(spec.submodule_search_locations or ())
    return found


def _in_current_folder(spec):
    """Where ``spec`` would load from the current folder: that file, else None."""
    try:
        here = os.path.realpath(os.getcwd())
    except OSError:  # the current folder was removed
        return None
    for location in _locations(spec):
        # the folder the package was found in: its sys.path entry
        root = os.path.dirname(location)
        if spec.submodule_search_locations and location == spec.origin:
            root = os.path.dirname(root)  # .../package/__init__.py
        if os.path.realpath(root) == here:
            return location
    return None


def _installed(package, spec_text):
    """Whether ``package`` (top level) is installed, and not in the current folder.

    ``python -m`` and ``python -c`` put the current folder first on
    ``sys.path``: a ``nengo_ocl.py`` there would otherwise be imported as the
    package; it is refused (``ValueError``) for a dotted name (``spec_text``),
    skipped for a bare one (None). A package already imported is taken as it
    is (nengo_tuning run from its own checkout).
    """
    if package in sys.modules:
        return True
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    shadow = _in_current_folder(spec)
    if shadow is None:
        return True
    if spec_text is not None:
        raise ValueError(
            f"neuron type {spec_text!r}: {package!r} would be imported from the "
            f"current folder ({shadow}), not from an installed package; it is "
            "not imported (run from another folder)"
        )
    return False


def _is_missing(error, module_name):
    """Whether ``error`` says ``module_name`` itself (or a parent) is not there."""
    missing = getattr(error, "name", None)
    return isinstance(error, ModuleNotFoundError) and (
        missing is None
        or module_name == missing
        or module_name.startswith(missing + ".")
    )


def _module_file(module_name):
    try:
        spec = importlib.util.find_spec(module_name)
    except Exception:  # noqa: BLE001 (a parent package that raises again)
        return None
    return spec.origin if spec is not None else None


def _import_named_module(module_name, spec):
    """Import a module the user named (``--neuron-module``), or say why not."""
    try:
        return importlib.import_module(module_name)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # whatever their module raises is theirs
        if _is_missing(error, module_name):
            raise ValueError(
                f"neuron type {spec!r}: cannot import module {module_name!r} "
                f"(named by --neuron-module): {error} (is its folder on "
                "PYTHONPATH?)"
            ) from None
        raise NeuronModuleError(
            module_name, error, _module_file(module_name)
        ) from error


def _import_candidate(module_name, spec, modules, bare):
    """The module, or None where it is not (or not safely) installed."""
    if module_name in modules:
        return _import_named_module(module_name, spec)
    if not _installed(module_name.split(".")[0], None if bare else spec):
        return None
    try:
        return importlib.import_module(module_name)
    except ImportError:
        return None


def _import_dotted(name, spec, modules):
    """Import ``package.module.Class`` (or a bare class name) and return it."""
    if "." in name:
        module_name, _, attr = name.rpartition(".")
        if not _may_import(module_name, modules):
            raise ValueError(
                f"neuron type {spec!r}: {module_name!r} is not a package that defines "
                f"neuron types ({', '.join(NEURON_TYPE_PACKAGES)}); to use a class "
                f"from another module, name that module explicitly "
                f"(--neuron-module {module_name})"
            )
        candidates = [(module_name, attr)]
    else:
        candidates = [(package, name) for package in (*NEURON_TYPE_PACKAGES, *modules)]
    for module_name, attr in candidates:
        module = _import_candidate(module_name, spec, modules, "." not in name)
        if module is not None and hasattr(module, attr):
            return getattr(module, attr)
    raise ValueError(
        f"unknown neuron type {spec!r}; use a dotted name such as 'nengo.LIF', "
        "'nengo.LIFRate', 'nengo_tuning.ExactLIF' or 'nengo_tuning.SoftLIFRate'"
    )


def _parse_spec(spec, modules):
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
    return _import_dotted(name, spec, modules), params


def _constructor_arguments(neuron_type):
    """The arguments that rebuild ``neuron_type``: its constructor's, by name."""
    signature = inspect.signature(type(neuron_type).__init__)
    return {
        name: getattr(neuron_type, name)
        for name, parameter in signature.parameters.items()
        if name != "self"
        and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
        and hasattr(neuron_type, name)
    }


def resolve_neuron_type(neuron_type, modules=(), **params):
    """Return a neuron type instance from an instance, a class or a name.

    Parameters
    ----------
    neuron_type : NeuronType or type or str
        A `nengo.neurons.NeuronType` instance (returned as is, or, with
        ``params``, a new one with its parameters and ``params`` replacing
        some), a subclass of it (instantiated), or a string: a dotted name
        such as ``"nengo.LIF"`` or ``"nengo_tuning.ExactLIF"``, a bare class name
        looked up in `nengo_tuning` and then `nengo` (``"ExactLIF"``), optionally
        with literal keyword arguments (``"nengo.LIF(tau_ref=0.001)"``).
        A string may only import from :data:`NEURON_TYPE_PACKAGES` and
        ``modules``.
    modules : sequence of str
        Further modules a string may import (named explicitly by the user).
    **params
        Parameters passed to the constructor (they override those in the string
        or of the instance).

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
        params = {**_constructor_arguments(neuron_type), **params}
        neuron_type = type(neuron_type)
    if isinstance(neuron_type, str):
        spec = neuron_type
        neuron_type, string_params = _parse_spec(spec, tuple(modules))
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


def check_runnable(neuron_type):
    """Raise `ValueError` unless the workbench can compute with ``neuron_type``.

    A small probe of what every study does: gains and biases for two neurons,
    their rates at a few points, decoders solved from them by Nengo's default
    solver and, for a spiking type, a few steps; each must give finite numbers.
    It finds what nengo accepts but cannot run: the abstract
    `nengo.neurons.NeuronType` (no ``step``), amplitudes so large that the
    decoders overflow (``nengo.LIF(amplitude=1e300)``) or so small that they
    cannot be solved (``amplitude=1e-300``). Max rates nengo refuses for a type
    are left to the study, which names them.

    Parameters
    ----------
    neuron_type : NeuronType
        The neuron type.
    """
    import numpy as np

    # a probe: what is not finite is its finding, not a warning to print
    with np.errstate(all="ignore"):
        _probe(neuron_type)


def _probe(neuron_type):
    import nengo
    import numpy as np
    from nengo.exceptions import ValidationError

    x = np.linspace(-1.0, 1.0, 21)[:, None]
    try:
        gain, bias = neuron_type.gain_bias(
            np.array([20.0, 40.0]), np.array([-0.5, 0.5])
        )
    except ValidationError:
        return  # rates nengo refuses for this type: the study says which
    except (NotImplementedError, ArithmeticError, np.linalg.LinAlgError) as error:
        raise ValueError(
            f"the workbench cannot run this neuron type: {error}"
        ) from None
    try:
        with np.errstate(all="ignore"):
            rates = np.asarray(neuron_type.rates(x * np.ones(2), gain, bias), float)
            finite = np.all(np.isfinite(rates))
        if finite and not np.any(rates > 0):
            raise ValueError(
                "its rates are 0 Hz at the currents set for 20 and 40 Hz (its "
                "parameters leave it no range of rates in float64)"
            )
        with np.errstate(all="ignore"):
            decoders, _ = nengo.solvers.LstsqL2()(rates, x)
            finite = finite and np.all(np.isfinite(decoders))
        if finite and neuron_type.spiking:
            finite = _steps_finitely(neuron_type, gain + bias)
    except (
        NotImplementedError,
        ArithmeticError,
        ValueError,
        np.linalg.LinAlgError,
    ) as error:
        raise ValueError(
            f"the workbench cannot run this neuron type: {error}"
        ) from None
    if not finite:
        raise ValueError(
            "the workbench cannot run this neuron type: its rates or decoders are "
            "not finite (an amplitude too large or too small?)"
        )


def _steps_finitely(neuron_type, currents):
    import numpy as np

    state = neuron_type.make_state(currents.size, rng=np.random.RandomState(0))
    state["output"] = np.zeros(currents.size)
    for _ in range(3):
        neuron_type.step(0.001, currents.copy(), **state)
    return bool(np.all(np.isfinite(state["output"])))


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
