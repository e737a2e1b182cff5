"""Tuning curves and decoding: what an ensemble represents, and how well.

* :func:`ensemble_tuning_curves`, :func:`neuron_tuning_curves`: the rate curve
  ``G`` as a function of the represented value ``x`` (1-D and N-D), through
  `nengo.utils.ensemble.tuning_curves`.
* :func:`decode_function`, :func:`decoding_sweep`: decoders, solved by Nengo,
  that turn a weighted sum of tuning curves back into ``x``, ``x**2`` or any
  function, and how the error falls as neurons are added.

Each study works for any Nengo neuron type and returns a dataclass record of
plain numpy arrays (:mod:`nengo_tuning.workbench.plotting` draws each).
"""

from dataclasses import dataclass

import nengo
import numpy as np
from nengo.builder.ensemble import get_activities
from nengo.neurons import NeuronType
from nengo.utils.ensemble import tuning_curves as nengo_tuning_curves

from nengo_tuning.workbench.expressions import (
    apply_function,
    function_name,
    parse_function,
)
from nengo_tuning.workbench.neuron_specs import resolve_neuron_type
from nengo_tuning.workbench.simulation import (
    decoder_eval_points,
    default_test_points,
    offset_seed,
    progress_bar,
    quiet_simulator,
    rms_error,
)

__all__ = [
    "Decoding",
    "DecodingSweep",
    "TuningCurves",
    "decode_function",
    "decoding_sweep",
    "ensemble_tuning_curves",
    "neuron_tuning_curves",
]


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
        inputs = default_test_points(
            ensemble.dimensions, n_points, ensemble.radius, rng
        )
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
        The neuron type (see :func:`.resolve_neuron_type`).
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
    with quiet_simulator(network) as sim:
        return ensemble_tuning_curves(ensemble, sim, inputs=inputs, n_points=n_points)


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
    radius : float
        The ensemble's radius (1-D test points span ``[-radius, radius]``).
    """

    function_name: str
    neuron_type: NeuronType
    inputs: np.ndarray
    target: np.ndarray
    decoded: np.ndarray
    activities: np.ndarray
    decoders: np.ndarray
    rmse: float
    radius: float = 1.0

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
        The function of ``x`` to decode (see :func:`.parse_function`).
    n_neurons : int
        Number of neurons.
    neuron_type : NeuronType or str
        The neuron type (see :func:`.resolve_neuron_type`).
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
    elif "eval_points" not in ensemble_kwargs:
        # Nengo's default points, drawn here so that they are known beforehand
        # (the command checks the function at them before it runs)
        ensemble_kwargs["eval_points"] = decoder_eval_points(
            n_neurons, dimensions, seed
        )
    size_out = np.atleast_1d(function(np.zeros(dimensions))).size
    with nengo.Network(seed=seed) as network:
        ensemble = nengo.Ensemble(
            n_neurons, dimensions, neuron_type=neuron_type, **ensemble_kwargs
        )
        output = nengo.Node(size_in=size_out)
        connection = nengo.Connection(
            ensemble, output, function=function, **connection_kwargs
        )
    with quiet_simulator(network) as sim:
        decoders = np.asarray(sim.data[connection].weights).T
        rng = np.random.RandomState(seed)
        inputs = default_test_points(dimensions, n_test_points, ensemble.radius, rng)
        activities = get_activities(sim.data[ensemble], ensemble, inputs)
    decoded = activities @ decoders
    target = apply_function(function, inputs)
    return Decoding(
        function_name=function_name(function),
        neuron_type=neuron_type,
        inputs=inputs,
        target=target,
        decoded=decoded,
        activities=activities,
        decoders=decoders,
        rmse=rms_error(decoded, target),
        radius=float(ensemble.radius),
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
        RMSE of each function, size and trial (trial ``k`` uses seed ``seed + k``,
        modulo ``2**32``).
    n_test_points : int
        Number of test points each RMSE is measured on.
    radius : float
        The ensembles' radius (1-D test points span ``[-radius, radius]``).
    """

    neuron_type: NeuronType
    function_names: list
    n_neurons: np.ndarray
    rmse_trials: np.ndarray
    n_test_points: int = 0
    radius: float = 1.0

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
    rmse_trials = np.zeros((len(functions), sizes.size, n_trials))
    decoding = None
    jobs = [
        (f, s, t)
        for s in range(sizes.size)
        for f in range(len(functions))
        for t in range(n_trials)
    ]
    for f, s, t in progress_bar(jobs, progress, "decoding"):
        decoding = decode_function(
            functions[f],
            n_neurons=int(sizes[s]),
            neuron_type=neuron_type,
            dimensions=dimensions,
            seed=offset_seed(seed, t),
            **decode_kwargs,
        )
        rmse_trials[f, s, t] = decoding.rmse
    return DecodingSweep(
        neuron_type=neuron_type,
        function_names=[function_name(function) for function in functions],
        n_neurons=sizes,
        rmse_trials=rmse_trials,
        n_test_points=0 if decoding is None else decoding.inputs.shape[0],
        radius=1.0 if decoding is None else decoding.radius,
    )
