"""The tuning workbench: measured answers to the basic questions of the NEF.

Every function here works for any Nengo neuron type (Nengo's own, this
package's, or a third party's) and is built on Nengo's machinery: ensembles are
built by `nengo.Simulator`, tuning curves come from
`nengo.utils.ensemble.tuning_curves`, activities from
`nengo.builder.ensemble.get_activities`, decoders from `nengo.solvers`, and
measured spike rates from stepping the neuron type itself. The results are small
dataclass records holding plain numpy arrays; :mod:`nengo_tuning.plotting` has a
plotting function for each.

The studies:

* :func:`ensemble_tuning_curves`, :func:`neuron_tuning_curves`: what the rate
  curve ``G`` looks like as a function of the represented value ``x`` (1-D and
  N-D).
* :func:`decode_function`, :func:`decoding_sweep`: decoders that turn a weighted
  sum of tuning curves back into ``x``, ``x**2`` or any function, and how the
  error falls as neurons are added.
* :func:`compare_spikes_to_rates`, :func:`spiking_decoding_error`: how a spiking
  neuron relates to its rate curve as ``dt`` changes, for single neurons and for
  a decoded ensemble output.
* :func:`smooth_vs_sharp`: the LIF curve and its derivative near threshold
  against SoftLIF curves with several ``sigma``.
"""

import ast
import importlib
from dataclasses import dataclass, field

import nengo
import numpy as np
from nengo.builder.ensemble import get_activities
from nengo.neurons import NeuronType, settled_firingrate
from nengo.utils.ensemble import tuning_curves as nengo_tuning_curves

from nengo_tuning import lif_math

__all__ = [
    "FUNCTION_NAMESPACE",
    "NEURON_TYPE_PACKAGES",
    "Decoding",
    "DecodingSweep",
    "RateSpikeComparison",
    "SmoothVsSharp",
    "SpikingDecodingError",
    "TuningCurves",
    "compare_spikes_to_rates",
    "currents_for_rates",
    "decode_function",
    "decoding_sweep",
    "ensemble_tuning_curves",
    "neuron_tuning_curves",
    "neuron_type_label",
    "parse_function",
    "resolve_neuron_type",
    "smooth_vs_sharp",
    "spiking_decoding_error",
]

#: Packages searched, in order, for a neuron type given by its bare class name.
NEURON_TYPE_PACKAGES = ("nengo_tuning", "nengo")

#: Names that a function given as a string (see :func:`parse_function`) may use.
FUNCTION_NAMESPACE = {
    "pi": np.pi,
    "e": np.e,
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "tanh": np.tanh,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "sign": np.sign,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "clip": np.clip,
}

_ALLOWED_FUNCTION_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Subscript,
    ast.Tuple,
    ast.List,
    ast.operator,
    ast.unaryop,
)


# --- helpers: neuron types and functions by name ---------------------------------


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
            params[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            raise ValueError(
                f"neuron type {spec!r}: the value of {keyword.arg!r} must be a "
                "Python literal (a number, string, tuple, ...)"
            ) from None
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
        the parameters are not literals.
    """
    if isinstance(neuron_type, NeuronType):
        if not params:
            return neuron_type
        neuron_type = type(neuron_type)
    if isinstance(neuron_type, str):
        spec = neuron_type
        try:
            tree = ast.parse(spec.strip(), mode="eval").body
        except SyntaxError:
            raise ValueError(f"cannot parse neuron type {spec!r}") from None
        string_params = {}
        if isinstance(tree, ast.Call):
            string_params = _literal_keywords(tree, spec)
            tree = tree.func
        name = ast.unparse(tree)
        if not all(part.isidentifier() for part in name.split(".")):
            raise ValueError(f"cannot parse neuron type {spec!r}")
        neuron_type = _import_dotted(name, spec)
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


def _expression_problem(node):
    """Why ``node`` may not appear in a function expression (None if it may)."""
    allowed_node = isinstance(node, _ALLOWED_FUNCTION_NODES)
    if not allowed_node:
        return f"{type(node).__name__} is not allowed"
    unknown_name = isinstance(node, ast.Name) and (
        node.id != "x" and node.id not in FUNCTION_NAMESPACE
    )
    if unknown_name:
        allowed = ", ".join(["x", *sorted(FUNCTION_NAMESPACE)])
        return f"unknown name {node.id!r} (allowed: {allowed})"
    indirect_call = isinstance(node, ast.Call) and not isinstance(node.func, ast.Name)
    if indirect_call:
        return "only plain calls are allowed"
    return None


def parse_function(function):
    """Return a function of ``x`` from a callable or an expression string.

    Parameters
    ----------
    function : callable or str
        A callable taking a 1-D array ``x`` (one point), or an expression in
        ``x`` such as ``"x"``, ``"x**2"``, ``"sin(pi * x)"`` or ``"x[0] * x[1]"``.
        An expression may use numbers, arithmetic, indexing and the names in
        :data:`FUNCTION_NAMESPACE`; nothing else is evaluated.

    Returns
    -------
    function : callable
        The function; its ``__name__`` is the expression for strings.

    Raises
    ------
    ValueError
        If the expression does not parse or uses anything not allowed.
    """
    if callable(function):
        return function
    expression = str(function).strip()
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise ValueError(f"cannot parse function {expression!r}") from None
    for node in ast.walk(tree):
        problem = _expression_problem(node)
        if problem:
            raise ValueError(f"function {expression!r}: {problem}")
    code = compile(tree, "<function>", "eval")
    namespace = {"__builtins__": {}, **FUNCTION_NAMESPACE}

    def evaluate(x):
        # safe: every node of the expression was checked above
        return eval(code, namespace, {"x": np.asarray(x)})

    evaluate.__name__ = expression
    evaluate.__qualname__ = expression
    return evaluate


def _function_name(function):
    return getattr(function, "__name__", repr(function))


def _apply_function(function, points):
    """Evaluate ``function`` point by point, as Nengo does for connections."""
    return np.array([np.atleast_1d(function(point)) for point in points], dtype=float)


def _test_points(dimensions, n_points, radius, rng):
    """An even grid for 1-D, uniform samples from the ball for N-D."""
    if dimensions == 1:
        return np.linspace(-radius, radius, n_points)[:, None]
    ball = nengo.dists.UniformHypersphere(surface=False)
    return radius * ball.sample(n_points, dimensions, rng=rng)


def _rmse(estimate, target):
    return float(np.sqrt(np.mean((np.asarray(estimate) - np.asarray(target)) ** 2)))


def _simulator(network, dt=0.001):
    """A quiet `nengo.Simulator` without the decoder cache.

    The models here are small and built once each: the on-disk cache would only
    add file locking (and lock warnings when several processes share it).
    """
    model = nengo.builder.Model(dt=dt, decoder_cache=nengo.cache.NoDecoderCache())
    return nengo.Simulator(network, dt=dt, model=model, progress_bar=False)


def _delay_one_step(signal):
    return np.concatenate([np.zeros_like(signal[:1]), signal[:-1]])


def _progress(iterable, enabled, description):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm  # only the CLI and interactive users ask for bars

    return tqdm(iterable, desc=description, leave=False)


# --- tuning curves -----------------------------------------------------------------


@dataclass
class TuningCurves:
    """Rates of the neurons of an ensemble over the represented space.

    Attributes
    ----------
    neuron_type : NeuronType
        The neuron type.
    inputs : (n_points, dimensions) ndarray
        The represented values ``x``.
    rates : (n_points, n_neurons) ndarray
        ``a_i(x) = G[gain_i (e_i . x / radius) + bias_i]``, in Hz.
    gain, bias : (n_neurons,) ndarray
        Gains and bias currents.
    encoders : (n_neurons, dimensions) ndarray
        Unit encoders ``e_i``.
    radius : float
        The ensemble's radius.
    """

    neuron_type: NeuronType
    inputs: np.ndarray
    rates: np.ndarray
    gain: np.ndarray
    bias: np.ndarray
    encoders: np.ndarray
    radius: float = 1.0

    @property
    def dimensions(self):
        """Dimensionality of the represented space."""
        return self.inputs.shape[1]

    @property
    def n_neurons(self):
        """Number of neurons."""
        return self.rates.shape[1]

    @property
    def projections(self):
        """``e_i . x / radius`` for each point and neuron, (n_points, n_neurons)."""
        return self.inputs @ self.encoders.T / self.radius

    @property
    def currents(self):
        """Input currents ``J_i(x) = gain_i e_i . x / radius + bias_i``."""
        return self.gain * self.projections + self.bias


def ensemble_tuning_curves(ensemble, sim, inputs=None, n_points=101):
    """Tuning curves of a built ensemble, via `nengo.utils.ensemble.tuning_curves`.

    Parameters
    ----------
    ensemble : nengo.Ensemble
        The ensemble.
    sim : nengo.Simulator
        A simulator built from a network holding ``ensemble``.
    inputs : (n_points, dimensions) array_like, optional
        Points of the represented space. By default an even grid of ``n_points``
        over ``[-radius, radius]`` for 1-D ensembles and ``n_points`` uniform
        samples of the ball of the ensemble's radius for N-D ones.
    n_points : int
        Number of default input points.

    Returns
    -------
    curves : TuningCurves
        The rates at each input point.
    """
    built = sim.data[ensemble]
    if inputs is None:
        rng = np.random.RandomState(ensemble.seed)
        inputs = _test_points(ensemble.dimensions, n_points, ensemble.radius, rng)
    inputs = np.asarray(inputs, dtype=float).reshape(-1, ensemble.dimensions)
    inputs, rates = nengo_tuning_curves(ensemble, sim, inputs=inputs)
    return TuningCurves(
        neuron_type=ensemble.neuron_type,
        inputs=np.asarray(inputs),
        rates=np.asarray(rates),
        gain=np.asarray(built.gain),
        bias=np.asarray(built.bias),
        encoders=np.asarray(built.encoders),
        radius=float(ensemble.radius),
    )


def neuron_tuning_curves(
    neuron_type="nengo.LIF",
    n_neurons=8,
    dimensions=1,
    max_rates=None,
    intercepts=None,
    gain=None,
    bias=None,
    encoders=None,
    inputs=None,
    n_points=101,
    seed=0,
):
    """Tuning curves of a neuron type with given or sampled parameters.

    Builds a `nengo.Ensemble` with the neuron type and the given parameters and
    returns its tuning curves (see :func:`ensemble_tuning_curves`).

    Parameters
    ----------
    neuron_type : NeuronType or str
        The neuron type (see :func:`resolve_neuron_type`).
    n_neurons : int
        Number of neurons (ignored where arrays give it).
    dimensions : int
        Dimensionality of the represented space.
    max_rates, intercepts : Distribution or array_like, optional
        Max rates and intercepts (Nengo's defaults when not given).
    gain, bias : Distribution or array_like, optional
        Gains and biases; give both or neither, and not together with
        ``max_rates`` or ``intercepts``.
    encoders : Distribution or array_like, optional
        Encoders (random unit vectors by default).
    inputs : (n_points, dimensions) array_like, optional
        Points of the represented space (see :func:`ensemble_tuning_curves`).
    n_points : int
        Number of default input points.
    seed : int, optional
        Seed of the ensemble's parameters.

    Returns
    -------
    curves : TuningCurves
        The rates at each input point.
    """
    neuron_type = resolve_neuron_type(neuron_type)
    if (gain is None) != (bias is None):
        raise ValueError("give both gain and bias, or neither")
    if gain is not None and (max_rates is not None or intercepts is not None):
        raise ValueError("give either gain and bias or max_rates and intercepts")
    for values in (max_rates, intercepts, gain, bias):
        if values is not None and not isinstance(values, nengo.dists.Distribution):
            n_neurons = np.asarray(values).size
    kwargs = {}
    for name, value in [
        ("max_rates", max_rates),
        ("intercepts", intercepts),
        ("gain", gain),
        ("bias", bias),
        ("encoders", encoders),
    ]:
        if value is not None:
            kwargs[name] = value
    with nengo.Network(seed=seed) as network:
        ensemble = nengo.Ensemble(
            n_neurons, dimensions, neuron_type=neuron_type, **kwargs
        )
    with _simulator(network) as sim:
        return ensemble_tuning_curves(ensemble, sim, inputs=inputs, n_points=n_points)


# --- decoding --------------------------------------------------------------------


@dataclass
class Decoding:
    """A function decoded from an ensemble's tuning curves.

    Attributes
    ----------
    function_name : str
        Name (or expression) of the decoded function.
    neuron_type : NeuronType
        The neuron type.
    inputs : (n_points, dimensions) ndarray
        Test points ``x`` (not the points the decoders were solved on).
    target : (n_points, size_out) ndarray
        ``f(x)``.
    decoded : (n_points, size_out) ndarray
        ``sum_i a_i(x) d_i``.
    activities : (n_points, n_neurons) ndarray
        The tuning curves ``a_i(x)`` at the test points.
    decoders : (n_neurons, size_out) ndarray
        The decoders ``d_i`` solved by Nengo.
    rmse : float
        Root-mean-square of ``decoded - target`` over the test points.
    """

    function_name: str
    neuron_type: NeuronType
    inputs: np.ndarray
    target: np.ndarray
    decoded: np.ndarray
    activities: np.ndarray
    decoders: np.ndarray
    rmse: float

    @property
    def n_neurons(self):
        """Number of neurons."""
        return self.decoders.shape[0]

    @property
    def weighted_curves(self):
        """``a_i(x) d_i`` per neuron (first output dimension); sums to ``decoded``."""
        return self.activities * self.decoders[:, 0]


def decode_function(
    function="x",
    n_neurons=50,
    neuron_type="nengo.LIF",
    dimensions=1,
    n_eval_points=None,
    n_test_points=201,
    solver=None,
    seed=0,
    **ensemble_kwargs,
):
    """Solve decoders for ``function`` and measure the decoded approximation.

    A `nengo.Connection` from a `nengo.Ensemble` with the ``function`` is built
    by `nengo.Simulator`, so the decoders are exactly the ones a Nengo model
    would use. The approximation is then evaluated on separate test points.

    Parameters
    ----------
    function : callable or str
        The function of ``x`` to decode (see :func:`parse_function`).
    n_neurons : int
        Number of neurons.
    neuron_type : NeuronType or str
        The neuron type (see :func:`resolve_neuron_type`).
    dimensions : int
        Dimensionality of ``x``.
    n_eval_points : int, optional
        Number of points the decoders are solved on (Nengo's default if None).
    n_test_points : int
        Number of test points (an even grid in 1-D).
    solver : nengo.solvers.Solver, optional
        Decoder solver (Nengo's default, ``LstsqL2(reg=0.1)``, if None).
    seed : int
        Seed of the network (ensemble parameters, evaluation points) and of the
        test points.
    **ensemble_kwargs
        Further arguments of `nengo.Ensemble` (``max_rates``, ``intercepts``...).

    Returns
    -------
    decoding : Decoding
        Decoders, activities, target, decoded values and RMSE at the test points.
    """
    function = parse_function(function)
    neuron_type = resolve_neuron_type(neuron_type)
    connection_kwargs = {} if solver is None else {"solver": solver}
    if n_eval_points is not None:
        ensemble_kwargs["n_eval_points"] = n_eval_points
    size_out = np.atleast_1d(function(np.zeros(dimensions))).size
    with nengo.Network(seed=seed) as network:
        ensemble = nengo.Ensemble(
            n_neurons, dimensions, neuron_type=neuron_type, **ensemble_kwargs
        )
        output = nengo.Node(size_in=size_out)
        connection = nengo.Connection(
            ensemble, output, function=function, **connection_kwargs
        )
    with _simulator(network) as sim:
        decoders = np.asarray(sim.data[connection].weights).T
        rng = np.random.RandomState(seed)
        inputs = _test_points(dimensions, n_test_points, ensemble.radius, rng)
        activities = get_activities(sim.data[ensemble], ensemble, inputs)
    decoded = activities @ decoders
    target = _apply_function(function, inputs)
    return Decoding(
        function_name=_function_name(function),
        neuron_type=neuron_type,
        inputs=inputs,
        target=target,
        decoded=decoded,
        activities=activities,
        decoders=decoders,
        rmse=_rmse(decoded, target),
    )


@dataclass
class DecodingSweep:
    """Decoding error as the number of neurons grows.

    Attributes
    ----------
    neuron_type : NeuronType
        The neuron type.
    function_names : list of str
        The decoded functions.
    n_neurons : (n_sizes,) ndarray
        Ensemble sizes.
    rmse_trials : (n_functions, n_sizes, n_trials) ndarray
        RMSE of each function, size and trial (trial ``k`` uses seed ``seed + k``).
    """

    neuron_type: NeuronType
    function_names: list
    n_neurons: np.ndarray
    rmse_trials: np.ndarray

    @property
    def rmse(self):
        """Mean RMSE over trials, (n_functions, n_sizes)."""
        return self.rmse_trials.mean(axis=-1)


def decoding_sweep(
    functions=("x", "x**2"),
    n_neurons=(5, 10, 20, 50, 100, 200),
    neuron_type="nengo.LIF",
    dimensions=1,
    n_trials=3,
    seed=0,
    progress=False,
    **decode_kwargs,
):
    """RMSE of decoded functions for growing ensembles (see :func:`decode_function`).

    Parameters
    ----------
    functions : sequence of callable or str
        The functions to decode, all from the same ensembles: only the decoders
        differ between functions.
    n_neurons : sequence of int
        Ensemble sizes.
    neuron_type : NeuronType or str
        The neuron type.
    dimensions : int
        Dimensionality of ``x``.
    n_trials : int
        Ensembles per size (different seeds), to average out the luck of the draw.
    seed : int
        Seed of the first trial.
    progress : bool
        Show a progress bar.
    **decode_kwargs
        Further arguments of :func:`decode_function`.

    Returns
    -------
    sweep : DecodingSweep
        The RMSE of each function, size and trial.
    """
    functions = [parse_function(function) for function in functions]
    neuron_type = resolve_neuron_type(neuron_type)
    sizes = np.asarray(n_neurons, dtype=int)
    rmse = np.zeros((len(functions), sizes.size, n_trials))
    jobs = [
        (f, s, t)
        for s in range(sizes.size)
        for f in range(len(functions))
        for t in range(n_trials)
    ]
    for f, s, t in _progress(jobs, progress, "decoding"):
        rmse[f, s, t] = decode_function(
            functions[f],
            n_neurons=int(sizes[s]),
            neuron_type=neuron_type,
            dimensions=dimensions,
            seed=seed + t,
            **decode_kwargs,
        ).rmse
    return DecodingSweep(
        neuron_type=neuron_type,
        function_names=[_function_name(function) for function in functions],
        n_neurons=sizes,
        rmse_trials=rmse,
    )


# --- spikes versus rates -------------------------------------------------------------


def currents_for_rates(neuron_type, rates):
    """Input currents at which ``neuron_type``'s rate curve gives ``rates``.

    Uses the type's own `~nengo.neurons.NeuronType.gain_bias` (with intercept 0,
    the current at ``x = 1`` is ``gain + bias``), so it works for any type.

    Parameters
    ----------
    neuron_type : NeuronType or str
        The neuron type.
    rates : array_like
        Target rates in Hz (below ``1 / tau_ref`` for LIF types).

    Returns
    -------
    currents : ndarray
        One current per rate.
    """
    neuron_type = resolve_neuron_type(neuron_type)
    rates = np.asarray(rates, dtype=float)
    gain, bias = neuron_type.gain_bias(rates, np.zeros_like(rates))
    return np.asarray(gain + bias, dtype=float)


@dataclass
class RateSpikeComparison:
    """Measured spike rates of a neuron type against its rate curve.

    Attributes
    ----------
    neuron_type : NeuronType
        The neuron type.
    dts : (n_dts,) ndarray
        Simulation time steps, in seconds.
    currents : (n_currents,) ndarray
        Constant input currents.
    rate_curve : (n_currents,) ndarray
        The type's ``rates()`` at those currents (the rate model), in Hz.
    measured : (n_dts, n_currents) ndarray
        Mean output of the stepped neurons over ``sim_time``, in Hz.
    sim_time : float
        Measurement time, in seconds (so a one-spike miss is ``1 / sim_time`` Hz).
    """

    neuron_type: NeuronType
    dts: np.ndarray
    currents: np.ndarray
    rate_curve: np.ndarray
    measured: np.ndarray
    sim_time: float

    @property
    def relative_error(self):
        """``measured / rate_curve - 1`` (NaN where the curve is 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            error = self.measured / self.rate_curve - 1.0
        return np.where(self.rate_curve > 0, error, np.nan)

    @property
    def max_abs_error_hz(self):
        """Largest ``|measured - rate_curve|`` at each dt, (n_dts,), in Hz."""
        return np.max(np.abs(self.measured - self.rate_curve), axis=1)


def compare_spikes_to_rates(
    neuron_type="nengo.LIF",
    dts=(0.0001, 0.001, 0.002, 0.005, 0.01),
    rates=None,
    currents=None,
    sim_time=1.0,
    settle_time=0.1,
    seed=0,
    progress=False,
):
    """Measure the spike rate of a neuron type at constant currents, for each dt.

    Each neuron gets one constant current; the type's ``step`` is run for
    ``settle_time`` and then for ``sim_time`` with `nengo.neurons.settled_firingrate`
    (Nengo's own measuring loop), and the mean output is compared with the
    type's ``rates()``. An exact spiking type matches its curve to within one
    spike over ``sim_time`` at every ``dt``; `nengo.LIF` departs from it once
    ``dt > tau_ref`` (at most one spike per step).

    Parameters
    ----------
    neuron_type : NeuronType or str
        The neuron type.
    dts : sequence of float
        Time steps, in seconds.
    rates : array_like, optional
        Rates of the curve to test at, in Hz (converted with
        :func:`currents_for_rates`). Default: 10 to 450 Hz in steps of 10 Hz
        (clipped below ``1 / tau_ref``).
    currents : array_like, optional
        Currents to test at, instead of ``rates``.
    sim_time, settle_time : float
        Measuring and settling times, in seconds.
    seed : int
        Seed for the initial state (e.g. LIF's random initial voltages).
    progress : bool
        Show a progress bar over dts.

    Returns
    -------
    comparison : RateSpikeComparison
        The measured rates and the rate curve.
    """
    neuron_type = resolve_neuron_type(neuron_type)
    if currents is None:
        if rates is None:
            rates = np.arange(10.0, 451.0, 10.0)
            tau_ref = getattr(neuron_type, "tau_ref", 0.0)
            if tau_ref > 0:
                rates = rates[rates < 0.95 / tau_ref]
        currents = currents_for_rates(neuron_type, rates)
    currents = np.asarray(currents, dtype=float)
    dts = np.asarray(dts, dtype=float)
    if np.any(dts <= 0):
        raise ValueError("every dt must be positive")
    # x = 0 with bias = J: the rate model's own answer for current J
    rate_curve = np.asarray(
        neuron_type.rates(
            np.zeros((1, currents.size)), np.ones_like(currents), currents
        )
    ).ravel()
    measured = np.zeros((dts.size, currents.size))
    for i in _progress(range(dts.size), progress, "spike rates"):
        rng = np.random.RandomState(seed)
        state = neuron_type.make_state(currents.size, rng=rng, dtype=np.float64)
        state["output"] = np.zeros(currents.size)
        measured[i] = settled_firingrate(
            neuron_type.step,
            currents.copy(),
            state,
            dt=dts[i],
            settle_time=settle_time,
            sim_time=sim_time,
        )
    return RateSpikeComparison(
        neuron_type=neuron_type,
        dts=dts,
        currents=currents,
        rate_curve=rate_curve,
        measured=measured,
        sim_time=float(sim_time),
    )


@dataclass
class SpikingDecodingError:
    """Decoded output of a spiking ensemble against its rate model, per dt.

    Attributes
    ----------
    neuron_type : NeuronType
        The neuron type.
    function_name : str
        The decoded function.
    dts : (n_dts,) ndarray
        Time steps, in seconds.
    rmse_vs_rate : (n_dts,) ndarray
        RMSE between the filtered spiking output and the same decoders applied to
        the rate curve (``rates()``) of the same input, filtered the same way:
        the error that spiking adds.
    rmse_vs_target : (n_dts,) ndarray
        RMSE between the filtered spiking output and the filtered ``f(x(t))``.
    traces : list of dict
        Per dt: ``t``, ``x``, ``spiking``, ``rate`` and ``target`` arrays.
    synapse : float
        Time constant of the lowpass filter on the outputs, in seconds.
    """

    neuron_type: NeuronType
    function_name: str
    dts: np.ndarray
    rmse_vs_rate: np.ndarray
    rmse_vs_target: np.ndarray
    traces: list = field(repr=False)
    synapse: float = 0.01


def spiking_decoding_error(
    neuron_type="nengo.LIF",
    dts=(0.0005, 0.001, 0.002, 0.005, 0.01),
    function="x",
    n_neurons=50,
    synapse=0.01,
    sim_time=1.0,
    input_frequency=1.0,
    seed=0,
    progress=False,
    **ensemble_kwargs,
):
    """Decoded-output error of a spiking ensemble against its rate model, per dt.

    The ensemble represents ``x(t) = sin(2 pi f t)`` and decodes ``function``.
    For each dt the model runs in `nengo.Simulator`; the decoded spikes are
    lowpass filtered (``synapse``) and compared with the rate model's decoded
    output (the same decoders applied to ``rates()`` of the same input, filtered
    by the same synapse). The ensemble is the same at every dt (same seed).

    Parameters
    ----------
    neuron_type : NeuronType or str
        A spiking neuron type.
    dts : sequence of float
        Time steps, in seconds.
    function : callable or str
        Function of ``x`` to decode (see :func:`parse_function`).
    n_neurons : int
        Number of neurons.
    synapse : float
        Lowpass time constant applied to the outputs, in seconds.
    sim_time : float
        Simulated time, in seconds.
    input_frequency : float
        Frequency of the sine input, in Hz.
    seed : int
        Seed of the network.
    progress : bool
        Show a progress bar over dts.
    **ensemble_kwargs
        Further arguments of `nengo.Ensemble` (``max_rates``, ``intercepts``...).

    Returns
    -------
    result : SpikingDecodingError
        The RMSEs and the traces.
    """
    function = parse_function(function)
    neuron_type = resolve_neuron_type(neuron_type)
    dts = np.asarray(dts, dtype=float)
    if np.any(dts <= 0):
        raise ValueError("every dt must be positive")
    lowpass = nengo.Lowpass(synapse)
    size_out = np.atleast_1d(function(np.zeros(1))).size
    rmse_vs_rate = np.zeros(dts.size)
    rmse_vs_target = np.zeros(dts.size)
    traces = []
    for i in _progress(range(dts.size), progress, "spiking decoding"):
        dt = float(dts[i])
        with nengo.Network(seed=seed) as network:
            stimulus = nengo.Node(lambda t: np.sin(2 * np.pi * input_frequency * t))
            ensemble = nengo.Ensemble(
                n_neurons, 1, neuron_type=neuron_type, **ensemble_kwargs
            )
            nengo.Connection(stimulus, ensemble, synapse=None)
            output = nengo.Node(size_in=size_out)
            connection = nengo.Connection(
                ensemble, output, function=function, synapse=None
            )
            input_probe = nengo.Probe(stimulus, synapse=None)
            output_probe = nengo.Probe(output, synapse=lowpass)
        with _simulator(network, dt=dt) as sim:
            sim.run(sim_time)
            decoders = np.asarray(sim.data[connection].weights).T
            x = sim.data[input_probe]
            rate_activities = get_activities(sim.data[ensemble], ensemble, x)
        spiking = sim.data[output_probe]
        # The same filter, run offline, on what the rate model would output;
        # Nengo's probe filter sees its input one step late, so delay by one step
        # (with a rate neuron type the two traces are then identical).
        rate = _delay_one_step(lowpass.filt(rate_activities @ decoders, dt=dt, y0=0))
        target = _delay_one_step(
            lowpass.filt(_apply_function(function, x), dt=dt, y0=0)
        )
        rmse_vs_rate[i] = _rmse(spiking, rate)
        rmse_vs_target[i] = _rmse(spiking, target)
        traces.append(
            {
                "t": sim.trange(),
                "x": x,
                "spiking": spiking,
                "rate": rate,
                "target": target,
            }
        )
    return SpikingDecodingError(
        neuron_type=neuron_type,
        function_name=_function_name(function),
        dts=dts,
        rmse_vs_rate=rmse_vs_rate,
        rmse_vs_target=rmse_vs_target,
        traces=traces,
        synapse=float(synapse),
    )


# --- smooth versus sharp -----------------------------------------------------------


@dataclass
class SmoothVsSharp:
    """The LIF rate curve and SoftLIF curves near threshold, with derivatives.

    Attributes
    ----------
    currents : (n_currents,) ndarray
        Input currents ``J`` (threshold 1).
    sigmas : (n_sigmas,) ndarray
        SoftLIF smoothing values.
    lif_rates, lif_derivatives : (n_currents,) ndarray
        LIF rate ``G(J)`` and ``dG/dJ`` (:func:`~nengo_tuning.lif_math.lif_rate`,
        :func:`~nengo_tuning.lif_math.lif_rate_derivative`).
    softlif_rates, softlif_derivatives : (n_sigmas, n_currents) ndarray
        SoftLIF rates and derivatives for each sigma.
    tau_rc, tau_ref : float
        Neuron time constants, in seconds.
    """

    currents: np.ndarray
    sigmas: np.ndarray
    lif_rates: np.ndarray
    lif_derivatives: np.ndarray
    softlif_rates: np.ndarray
    softlif_derivatives: np.ndarray
    tau_rc: float
    tau_ref: float

    @property
    def rate_at_threshold(self):
        """SoftLIF rate at ``J = 1`` for each sigma (LIF's is 0), in Hz."""
        threshold = np.ones(1)
        return np.array(
            [
                lif_math.softlif_rate(threshold, s, self.tau_rc, self.tau_ref)[0]
                for s in self.sigmas
            ]
        )

    @property
    def peak_derivative(self):
        """Largest SoftLIF derivative for each sigma, in Hz per unit current.

        Searched on a grid of step ``sigma / 50`` from ``J = 1 - 20 sigma`` to
        ``1 + 100 sigma`` (where the peak lies) as well as on ``currents``, so it
        does not depend on how fine ``currents`` is.
        """
        peaks = []
        for sigma, derivatives in zip(self.sigmas, self.softlif_derivatives):
            fine = 1.0 + sigma * np.linspace(-20.0, 100.0, 6001)
            fine_derivatives = lif_math.softlif_rate_derivative(
                fine, sigma, self.tau_rc, self.tau_ref
            )
            peaks.append(max(derivatives.max(), fine_derivatives.max()))
        return np.array(peaks)

    @property
    def max_rate_gap(self):
        """Largest ``|SoftLIF - LIF|`` over ``currents`` for each sigma, in Hz."""
        return np.abs(self.softlif_rates - self.lif_rates).max(axis=1)


def smooth_vs_sharp(
    sigmas=(0.001, 0.02, 0.1, 1.0),
    currents=None,
    tau_rc=0.02,
    tau_ref=0.002,
):
    """Compare the LIF curve and its derivative with SoftLIF's near threshold.

    The LIF derivative grows without bound as ``J -> 1+`` (the singularity that
    blocks backpropagation); SoftLIF's is bounded for every ``sigma > 0`` and
    the curve approaches LIF's as ``sigma`` shrinks.

    Parameters
    ----------
    sigmas : sequence of float
        SoftLIF smoothing values (> 0).
    currents : array_like, optional
        Currents; default 2001 points over ``[0, 3]``.
    tau_rc, tau_ref : float
        Neuron time constants, in seconds.

    Returns
    -------
    result : SmoothVsSharp
        Rates and derivatives on the current grid.
    """
    sigmas = np.asarray(sigmas, dtype=float)
    if np.any(sigmas <= 0):
        raise ValueError("every sigma must be positive")
    if currents is None:
        currents = np.linspace(0.0, 3.0, 2001)
    currents = np.asarray(currents, dtype=float)
    return SmoothVsSharp(
        currents=currents,
        sigmas=sigmas,
        lif_rates=lif_math.lif_rate(currents, tau_rc, tau_ref),
        lif_derivatives=lif_math.lif_rate_derivative(currents, tau_rc, tau_ref),
        softlif_rates=np.array(
            [lif_math.softlif_rate(currents, s, tau_rc, tau_ref) for s in sigmas]
        ),
        softlif_derivatives=np.array(
            [
                lif_math.softlif_rate_derivative(currents, s, tau_rc, tau_ref)
                for s in sigmas
            ]
        ),
        tau_rc=float(tau_rc),
        tau_ref=float(tau_ref),
    )
