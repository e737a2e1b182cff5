"""`audit`: the spikes each ensemble of a network loses at a time step.

The network is built once with `nengo.Simulator` (not run, not changed), and each
built ensemble is measured by :mod:`nengo_tuning.spike_audit.spike_loss`; the record of
one ensemble at one ``dt`` is an `EnsembleAudit`.
"""

import dataclasses
import functools
import numbers
import sys

import nengo
import numpy as np

from nengo_tuning.spike_audit.spike_loss import (
    DEFAULT_MAX_NEURON_STEPS,
    DEFAULT_THRESHOLD,
    DIRECT,
    MEASURED,
    NOT_MEASURABLE,
    RATE_MODEL,
    DtSearch,
    NeuronTypeFailed,
    NotMeasurable,
    check_max_neuron_steps,
    exact_replacement,
    largest_good_dt,
    measure,
    over_the_limit,
    population_of,
    rate_curve_problem,
)

__all__ = ["EnsembleAudit", "audit", "audit_many"]


class AuditModel(nengo.builder.Model):
    """The model `audit` builds into (`.lost_spike_warnings` leaves it alone)."""


@dataclasses.dataclass(frozen=True)
class EnsembleAudit:
    """What one ensemble loses at one ``dt``.

    The definitions of ``spike_loss`` and ``resolution``, and the sampling, are
    in :mod:`nengo_tuning.spike_audit.spike_loss`.

    Attributes
    ----------
    label : str or None
        The ensemble's label.
    path : str
        Where it sits in the network (``ensembles[0]``, ``sub.ensembles[2]``,
        sub-networks by label or as ``networks[i]``).
    neuron_type : str
        The neuron type, as Python would construct it.
    n_neurons : int
    dt : float
    status : str
        ``"measured"``, ``"rate model"`` (a rate type: no spikes to lose),
        ``"direct"`` (no neurons) or ``"not measurable"`` (see ``reason``).
    max_rate, median_rate : float or None
        Largest rate (Hz) over its eval points and neurons, and the median over
        the pairs that fire.
    spike_loss : float or None
        The fraction of the rate curve's spikes that are not emitted; for
        `nengo.AdaptiveLIF` and `~nengo_tuning.neurons.ExactAdaptiveLIF`, of
        the spikes the same neuron emits in continuous time (its exact count:
        the loss to the time step, not the adaptation's shortfall against its
        unadapted ``rates()``).
    decode_error : float or None
        The error spiking adds to the decoded value: the RMS over the sampled
        eval points :math:`x_p` of :math:`\\| (S_p / T - r_p) D \\|`, divided by
        the radius, where :math:`r_p` are the rates of the sampled neurons,
        :math:`S_p / T` their spiking rates (above; for the adaptive types,
        :math:`r_p` is their exact count over :math:`T`) and :math:`D` the identity
        decoders that `nengo.solvers.LstsqL2` (Nengo's default) solves from the
        rate curve at the ensemble's eval points for those neurons. It is the
        bias left after any synapse (the spike noise a synapse filters is not
        in it), as a fraction of the represented range. Sample: up to
        `~nengo_tuning.spike_audit.spike_loss.DECODE_NEURONS` neurons with their own
        decoders, at 4 to 32 eval points.
    resolution : float or None
        How precisely ``spike_loss`` is known: one spike per firing pair.
    exact_type : str or None
        A type with the same rate curve that loses no spikes, where one exists.
    largest_dt : float or None
        When the loss exceeds the threshold: the largest dt tried whose loss is
        at most the threshold (``{1, 2, 5} x 10^k`` below ``dt``, then refined).
    recommendation : str
        What to do, in words.
    reason : str
        Why the loss is not measurable (or empty).
    sampled_pairs, total_pairs, element_steps : int
        (Eval point, neuron) pairs stepped at ``dt`` and pairs the ensemble
        has; neuron-steps taken, the search for a safe dt included.
    """

    label: str | None
    path: str
    neuron_type: str
    n_neurons: int
    dt: float
    status: str
    max_rate: float | None = None
    median_rate: float | None = None
    spike_loss: float | None = None
    decode_error: float | None = None
    resolution: float | None = None
    exact_type: str | None = None
    largest_dt: float | None = None
    recommendation: str = ""
    reason: str = ""
    sampled_pairs: int = 0
    total_pairs: int = 0
    element_steps: int = 0

    @property
    def name(self):
        """The label, or the path for an unlabelled ensemble."""
        return self.path if self.label is None else str(self.label)

    def as_dict(self):
        """The record as plain Python values (for JSON), with ``name``."""
        return {"name": self.name, **dataclasses.asdict(self)}


def _type_name(neuron_type):
    package = type(neuron_type).__module__.split(".")[0]
    return f"{package}.{neuron_type!r}"


def _recommend(loss, dt, threshold, exact, search):
    if loss <= threshold:
        return f"keep dt = {dt:g} s (loss at most {threshold:.0%})"
    fixes = []
    if exact is not None:
        fixes.append(f"use {exact} (same rate curve, no spikes lost to the time step)")
    if search.largest_dt is not None:
        fixes.append(f"use dt <= {search.largest_dt:g} s")
    elif search.smallest_tried is not None:
        still = search.loss_there
        fix = (
            f"no dt down to {search.smallest_tried:g} s brings it to "
            f"{threshold:.0%} (still {still:.1%} there"
        )
        # a loss that barely falls with dt comes from the model, not the step
        fix += "; the loss is not the time step's)" if still >= loss / 2 else ")"
        fixes.append(fix)
    return "; or ".join(fixes)


def audit_built_ensemble(
    ens, built, dt, path, seed, threshold=DEFAULT_THRESHOLD, search=True
):
    """The `EnsembleAudit` of one built ensemble (``built``: its BuiltEnsemble)."""
    neuron_type = ens.neuron_type
    record = functools.partial(
        EnsembleAudit,
        label=ens.label,
        path=path,
        neuron_type=_type_name(neuron_type),
        n_neurons=ens.n_neurons,
        dt=dt,
    )
    if isinstance(neuron_type, nengo.Direct):
        return record(status=DIRECT, recommendation="nothing to do (no neurons)")
    problem = rate_curve_problem(neuron_type) if neuron_type.spiking else ""
    if problem:
        return record(status=NOT_MEASURABLE, reason=problem)
    if len(built.eval_points) == 0 or ens.n_neurons == 0:
        return record(status=NOT_MEASURABLE, reason="it has no eval points")
    rng = np.random.RandomState(seed)
    try:
        population = population_of(neuron_type, built, rng)
    except NeuronTypeFailed as error:
        return record(status=NOT_MEASURABLE, reason=str(error))
    rates = population.rates
    if not np.all(np.isfinite(rates)):
        return record(status=NOT_MEASURABLE, reason="its rates() are not finite")
    firing_rates = rates[rates > 0]
    summary = {
        "max_rate": float(rates.max()) if rates.size else None,
        "median_rate": float(np.median(firing_rates)) if firing_rates.size else None,
        "total_pairs": population.total_pairs,
    }
    if not neuron_type.spiking:
        return record(
            status=RATE_MODEL, recommendation="nothing to do (no spikes)", **summary
        )
    if not firing_rates.size:
        reason = "no neuron fires at any eval point (the rate curve is 0 there)"
        return record(status=NOT_MEASURABLE, reason=reason, **summary)
    record = functools.partial(record, **summary)
    try:
        return _measured(record, ens, population, dt, rng, threshold, search)
    except NotMeasurable as error:
        return record(status=NOT_MEASURABLE, reason=str(error))


def _measured(record, ens, population, dt, rng, threshold, search):
    """The record of a measurable ensemble: loss, error, recommendation."""
    neuron_type = ens.neuron_type
    measured = measure(neuron_type, population, dt, ens.radius, rng)
    loss = measured["spike_loss"]
    exact = exact_replacement(neuron_type)
    exact_text = None if exact is None else f"nengo_tuning.{exact!r}"
    found = DtSearch()
    if search and loss > threshold:
        found = largest_good_dt(neuron_type, population, dt, threshold, rng)
        measured["element_steps"] += found.cost
    return record(
        status=MEASURED,
        exact_type=exact_text,
        largest_dt=found.largest_dt,
        recommendation=_recommend(loss, dt, threshold, exact_text, found),
        **measured,
    )


# --- networks ---------------------------------------------------------------------


def ensemble_paths(network, prefix=""):
    """(ensemble, path) for every ensemble in ``network`` and its sub-networks."""
    for i, ens in enumerate(network.ensembles):
        yield ens, f"{prefix}ensembles[{i}]"
    for i, sub in enumerate(network.networks):
        name = f"networks[{i}]" if sub.label is None else str(sub.label)
        yield from ensemble_paths(sub, f"{prefix}{name}.")


def ensemble_seed(model_seed, index):
    """The audit's own random seed for one ensemble (Nengo's RNGs are not used)."""
    return int(np.random.SeedSequence([model_seed, index]).generate_state(1)[0])


def _build(network, dt, seed):
    """Build ``network`` with `nengo.Simulator` (not run); an unseeded one with
    ``seed`` (set on the builder's model, not on the network)."""
    model = AuditModel(dt=dt, decoder_cache=nengo.cache.NoDecoderCache())
    if network.seed is None:
        model.seeds[network] = seed
    with nengo.Simulator(
        network, dt=dt, seed=seed, model=model, progress_bar=False, optimize=False
    ) as sim:
        return sim.model.params


def _check_dt(dt):
    dt = float(dt)
    if not (np.isfinite(dt) and dt > 0):
        raise nengo.exceptions.ValidationError(
            f"must be a positive finite number of seconds (got {dt!r})", attr="dt"
        )
    return dt


#: Seeds are whole numbers in this range (numpy's and nengo's).
SEED_RANGE = "a whole number from 0 to 2**32 - 1"


def check_seed(seed):
    """``seed`` as an int, or a TypeError/ValidationError (a ValueError) naming it."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        extra = (
            " (the audit has no random default: the same seed gives the same "
            "numbers)"
            if seed is None
            else ""
        )
        raise TypeError(f"seed must be {SEED_RANGE} (got {seed!r}){extra}")
    if not 0 <= seed <= 2**32 - 1:
        raise nengo.exceptions.ValidationError(
            f"must be {SEED_RANGE} (got {seed!r})", attr="seed"
        )
    return int(seed)


def _check_dts(dts):
    try:
        dts = list(dts)
    except TypeError:
        raise nengo.exceptions.ValidationError(
            f"must be a sequence of time steps (got {dts!r}; for one dt, use audit)",
            attr="dts",
        ) from None
    if not dts:
        raise nengo.exceptions.ValidationError(
            "must hold at least one time step (got none)", attr="dts"
        )
    return [_check_dt(dt) for dt in dts]


def _check_cost(network, dts, search, max_neuron_steps):
    """Refuse, before any work, a dt whose audit may exceed ``max_neuron_steps``."""
    types = {type(ens.neuron_type): ens.neuron_type for ens in network.all_ensembles}
    for dt in dts:
        for neuron_type in types.values():
            why = over_the_limit(dt, search, max_neuron_steps, neuron_type)
            if why:
                raise nengo.exceptions.ValidationError(
                    f"{why} ({neuron_type!r}); pass a larger max_neuron_steps "
                    "(or max_neuron_steps=None, no limit) to run it anyway",
                    attr="dt",
                )


def check_threshold(threshold):
    threshold = float(threshold)
    if not 0 <= threshold < 1:
        raise nengo.exceptions.ValidationError(
            f"must be a fraction in [0, 1) (got {threshold!r})", attr="threshold"
        )
    return threshold


def _on_a_terminal():
    try:
        return bool(sys.stderr is not None and sys.stderr.isatty())
    except (AttributeError, ValueError, OSError):  # replaced or closed stderr
        return False


def audit_many(
    network,
    dts,
    threshold=DEFAULT_THRESHOLD,
    seed=0,
    progress=None,
    search=True,
    max_neuron_steps=DEFAULT_MAX_NEURON_STEPS,
):
    """`audit` at several time steps, building the network once.

    ``dts`` is a sequence of at least one time step; the other parameters are
    `audit`'s (``max_neuron_steps`` applies to every ``dt``).

    Returns
    -------
    audits : list of list of EnsembleAudit
        One list per ``dt``, in the order given.
    """
    if not isinstance(network, nengo.Network):
        raise nengo.exceptions.ValidationError(
            f"must be a nengo.Network (got {type(network).__name__})", attr="network"
        )
    dts = _check_dts(dts)
    threshold = check_threshold(threshold)
    seed = check_seed(seed)
    max_neuron_steps = check_max_neuron_steps(max_neuron_steps)
    _check_cost(network, dts, search, max_neuron_steps)
    params = _build(network, dts[0], seed)
    ensembles = list(ensemble_paths(network))
    if progress is None:
        progress = _on_a_terminal()
    if progress:
        from tqdm.auto import tqdm

        ensembles = tqdm(ensembles, desc="auditing ensembles", leave=False)
    audits = [[] for _ in dts]
    for index, (ens, path) in enumerate(ensembles):
        for records, dt in zip(audits, dts):
            ens_seed = ensemble_seed(seed, index)
            records.append(
                audit_built_ensemble(
                    ens, params[ens], dt, path, ens_seed, threshold, search
                )
            )
    return audits


def audit(
    network,
    dt,
    threshold=DEFAULT_THRESHOLD,
    seed=0,
    progress=None,
    search=True,
    max_neuron_steps=DEFAULT_MAX_NEURON_STEPS,
):
    """How many spikes each ensemble of ``network`` loses at time step ``dt``.

    The network is built with `nengo.Simulator` (not run, not changed); each
    ensemble is then measured as the module docstring defines, with bounded
    sampling.

    Parameters
    ----------
    network : nengo.Network
        The model; ensembles in sub-networks are included.
    dt : float
        The time step (s) to audit.
    threshold : float
        Loss above which the recommendation proposes a fix (default 1 %).
    seed : int
        Seeds the sampling and, for a network without a seed, its build (the
        network's own seed is used when it has one): a whole number from 0 to
        2**32 - 1 (``None``, which means "random" to `nengo.Simulator`, is
        refused, as are other values, with an error naming ``seed``: the same
        seed gives the same audit).
    progress : bool or None
        Show a progress bar (default: only when stderr is a terminal).
    search : bool
        Search for the largest dt whose loss is at most ``threshold`` when the
        loss exceeds it (costs one loss measurement per dt tried).
    max_neuron_steps : float or None
        The most neuron-steps one ensemble's audit may take
        (`~nengo_tuning.spike_audit.spike_loss.cost_bound` of ``dt``, ``search``
        and its neuron type; default
        `~nengo_tuning.spike_audit.spike_loss.DEFAULT_MAX_NEURON_STEPS`, 2e8,
        which every ``dt`` from 1e-5 to 0.1 s allows, the range of
        ``nengo-tuning audit``). A ``dt`` whose bound exceeds it (below about
        1e-5 s the cost grows as ``1 / dt``) is refused
        before any work with a `~nengo.exceptions.ValidationError` naming ``dt``
        and this limit; pass a larger value, or None for no limit, to run it.

    Returns
    -------
    audits : list of EnsembleAudit
        One record per ensemble, in the order of ``network.all_ensembles``'s
        walk (the network's own ensembles, then each sub-network's).
    """
    return audit_many(
        network, [dt], threshold, seed, progress, search, max_neuron_steps
    )[0]
