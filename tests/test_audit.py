"""spike_audit: spike_loss as the issue defines it, against independent counts.

Tolerances come from the definition's own resolution: over T = 2 s a neuron's
count depends on its initial state (and on where a reference run starts) by at
most one spike, so two honest counts of the same pairs differ by at most one
spike per firing pair each: |loss_a - loss_b| <= 2 n_firing / (T sum(rate)).
"""

from typing import ClassVar

import nengo
import numpy as np
import pytest
from networks import neurons_fed_directly
from reference_lif import continuous_spike_count

from nengo_tuning.neurons import ExactAdaptiveLIF, ExactLIF
from nengo_tuning.spike_audit import audit, audit_many, model_audit
from nengo_tuning.spike_audit.spike_loss import (
    DEFAULT_MAX_NEURON_STEPS,
    DIRECT,
    MEASURED,
    NOT_MEASURABLE,
    RATE_MODEL,
    cost_bound,
)

DURATION = 2.0


def built_currents(network, ens, dt):
    """J = eval_points @ scaled_encoders.T + bias, from nengo's own build."""
    with nengo.Simulator(network, dt=dt, progress_bar=False) as sim:
        built = sim.data[ens]
    return built.eval_points @ built.scaled_encoders.T + built.bias


def lif_rate(J, tau_rc=0.02, tau_ref=0.002):
    """The LIF rate curve, written out here (not nengo's, not the package's)."""
    J = np.asarray(J, dtype=float)
    rate = np.zeros_like(J)
    above = J > 1
    rate[above] = 1 / (tau_ref + tau_rc * np.log1p(1 / (J[above] - 1)))
    return rate


def nengo_spike_counts(J, neuron_type, dt):
    """Spikes emitted on constant currents J over T, by nengo's own simulator."""
    flat = J.ravel()
    with nengo.Network(seed=3) as net:
        stim = nengo.Node(flat)
        probe = neurons_fed_directly(stim, len(flat), neuron_type)[0]
    with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run_steps(round(DURATION / dt))
    return sim.data[probe].sum(axis=0) * dt / neuron_type.amplitude


def small_ensemble(neuron_type, max_rates, seed=0, **kwargs):
    """A network with one ensemble small enough to be audited without sampling."""
    kwargs.setdefault("n_eval_points", 50)
    with nengo.Network(seed=seed) as net:
        ens = nengo.Ensemble(
            20, 1, neuron_type=neuron_type, max_rates=max_rates, **kwargs
        )
    return net, ens


@pytest.mark.parametrize("dt", [0.003, 0.005])
def test_spike_loss_is_the_definition_measured_by_nengos_simulator(dt):
    """nengo.LIF's loss equals 1 - spikes / (T sum(rate)), spikes counted by
    nengo.Simulator on the very currents of the built ensemble."""
    net, ens = small_ensemble(nengo.LIF(), nengo.dists.Uniform(200, 400))
    J = built_currents(net, ens, dt)
    rate = lif_rate(J)
    spikes = nengo_spike_counts(J, nengo.LIF(), dt)
    expected = 1 - spikes.sum() / (DURATION * rate.sum())
    tolerance = 2 * np.count_nonzero(rate) / (DURATION * rate.sum())

    (record,) = audit(net, dt)
    assert record.status == MEASURED
    assert record.sampled_pairs >= np.count_nonzero(rate)  # nothing sampled away
    assert abs(record.spike_loss - expected) <= tolerance
    assert expected > 5 * tolerance  # the case tests a real loss


def test_exact_lif_loses_nothing_against_the_continuous_lif():
    """ExactLIF's loss is the continuous LIF's, counted event by event: 0 to
    within one spike per pair."""
    net, ens = small_ensemble(ExactLIF(), nengo.dists.Uniform(300, 400))
    dt = 0.005
    J = built_currents(net, ens, dt)
    rate = lif_rate(J)
    counts = [continuous_spike_count(j, DURATION, 0.02, 0.002) for j in J.ravel()]
    reference_loss = 1 - np.sum(counts) / (DURATION * rate.sum())
    tolerance = 2 * np.count_nonzero(rate) / (DURATION * rate.sum())

    (record,) = audit(net, dt)
    assert abs(record.spike_loss - reference_loss) <= tolerance
    assert abs(record.spike_loss) <= record.resolution
    assert record.recommendation.startswith("keep dt")


def test_decode_error_is_the_documented_quantity():
    """RMS over the eval points of |(S/T - r) D| / radius, D from LstsqL2 on the
    rate curve; recomputed here from nengo's simulator on the same currents."""
    dt = 0.005
    net, ens = small_ensemble(
        nengo.LIF(), nengo.dists.Uniform(250, 400), n_eval_points=32, radius=2.0
    )
    with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
        built = sim.data[ens]
    J = built.eval_points @ built.scaled_encoders.T + built.bias
    rate = lif_rate(J)
    decoders, _ = nengo.solvers.LstsqL2()(rate, built.eval_points)
    spiking_rate = nengo_spike_counts(J, nengo.LIF(), dt).reshape(J.shape) / DURATION
    errors = np.linalg.norm((spiking_rate - rate) @ decoders, axis=1)
    expected = np.sqrt(np.mean(errors**2)) / 2.0
    # each neuron's spiking rate is off by at most 2 spikes / T between two runs
    tolerance = 2 / DURATION * np.abs(decoders).sum() / 2.0

    (record,) = audit(net, dt)
    assert abs(record.decode_error - expected) <= tolerance
    assert expected > 3 * tolerance


@pytest.mark.parametrize("radius", [1e-10, 1e200, 1e300])
def test_decode_error_does_not_depend_on_the_radius(radius):
    """In units of the radius, the decoded error of an ensemble is that of the
    same ensemble with radius 1 (the currents are the same; the decoders scale
    with the radius). Squared before the division, it overflowed from a radius
    near 1e155 and was printed as inf %."""
    dt = 0.005
    records = [
        audit(
            small_ensemble(nengo.LIF(), nengo.dists.Uniform(250, 400), radius=r)[0], dt
        )
        for r in (1.0, radius)
    ]
    unit, scaled = (record.decode_error for (record,) in records)
    assert np.isfinite(scaled) and unit > 0
    assert scaled == pytest.approx(unit, rel=1e-9)


def three_ensembles(seed):
    with nengo.Network(seed=seed) as net:
        for label, neuron_type, rates in [
            ("LIF 300-400 Hz", nengo.LIF(), (300, 400)),
            ("LIF 40-60 Hz", nengo.LIF(), (40, 60)),
            ("ExactLIF 300-400 Hz", ExactLIF(), (300, 400)),
        ]:
            nengo.Ensemble(
                100,
                1,
                neuron_type=neuron_type,
                max_rates=nengo.dists.Uniform(*rates),
                label=label,
            )
    return net


def test_the_issues_three_ensembles():
    """29.5 %, 4.2 % and 0 % at 5 ms (issue 19). Gains and intercepts are drawn,
    so the loss varies between realizations: 28.4 to 30.4 % and 4.24 to 4.40 %
    over seeds 0 to 5, hence the tolerances."""
    records = {r.label: r for r in audit(three_ensembles(seed=1), 0.005)}
    assert records["LIF 300-400 Hz"].spike_loss == pytest.approx(0.295, abs=0.01)
    assert records["LIF 40-60 Hz"].spike_loss == pytest.approx(0.042, abs=0.005)
    exact = records["ExactLIF 300-400 Hz"]
    assert abs(exact.spike_loss) <= exact.resolution
    lossy = records["LIF 300-400 Hz"]
    assert lossy.exact_type == "nengo_tuning.ExactLIF()"
    # nengo.LIF is exact while dt <= tau_ref (2 ms)
    assert lossy.largest_dt is not None and 0.002 <= lossy.largest_dt < 0.005
    assert "ExactLIF" in lossy.recommendation and "dt <= " in lossy.recommendation


def test_sampling_estimates_the_complete_measurement():
    """A large ensemble is sampled; the complete count (every pair stepped with
    the type's own step) agrees to within the resolution."""
    dt = 0.005
    with nengo.Network(seed=4) as net:
        ens = nengo.Ensemble(
            100,
            1,
            neuron_type=nengo.LIF(),
            max_rates=nengo.dists.Uniform(100, 400),
            n_eval_points=300,
        )
    J = built_currents(net, ens, dt).ravel()
    neuron_type = nengo.LIF()
    state = neuron_type.make_state(len(J), np.random.RandomState(0), np.float64)
    output, total = np.zeros_like(J), np.zeros_like(J)
    for _ in range(round(DURATION / dt)):
        neuron_type.step(dt, J, output, **state)
        total += output
    rate = lif_rate(J)
    complete = 1 - total.sum() * dt / (DURATION * rate.sum())

    (record,) = audit(net, dt)
    assert record.sampled_pairs < record.total_pairs == len(J)
    assert abs(record.spike_loss - complete) <= 2 * record.resolution


class SpikingWithoutRateCurve(nengo.neurons.NeuronType):
    """A spiking type that relies on NeuronType's generic rates() (it gives
    gain and bias analytically, so that Nengo can build it)."""

    spiking = True
    state: ClassVar = {"voltage": nengo.dists.Choice([0.0])}

    def gain_bias(self, max_rates, intercepts):
        gain = max_rates / (1 - intercepts)
        return gain, -gain * intercepts

    def max_rates_intercepts(self, gain, bias):
        return gain + bias, -bias / gain

    def step(self, dt, J, output, voltage):
        voltage += J * dt
        output[...] = (voltage > 1) / dt
        voltage[voltage > 1] = 0


CATEGORIES = [
    (nengo.LIF(), MEASURED),
    (ExactLIF(), MEASURED),
    (nengo.SpikingRectifiedLinear(), MEASURED),
    (nengo.RegularSpiking(nengo.LIFRate()), MEASURED),
    (nengo.AdaptiveLIF(), MEASURED),
    (nengo.Izhikevich(), NOT_MEASURABLE),
    (SpikingWithoutRateCurve(), NOT_MEASURABLE),
    (nengo.LIFRate(), RATE_MODEL),
    (nengo.RectifiedLinear(), RATE_MODEL),
    (nengo.Direct(), DIRECT),
]


@pytest.mark.parametrize(
    ("neuron_type", "status"),
    CATEGORIES,
    ids=[type(neuron_type).__name__ for neuron_type, _ in CATEGORIES],
)
def test_every_neuron_type_category(neuron_type, status):
    with nengo.Network(seed=5) as net:
        nengo.Ensemble(30, 2, neuron_type=neuron_type)
    (record,) = audit(net, 0.001)
    assert record.status == status
    assert record.neuron_type.endswith(repr(neuron_type))
    if status == NOT_MEASURABLE:
        assert record.reason and record.spike_loss is None
    elif status == MEASURED:
        assert np.isfinite(record.spike_loss) and record.resolution > 0
        assert record.max_rate >= record.median_rate > 0
    else:
        assert record.spike_loss is None and record.recommendation


@pytest.mark.parametrize(
    "neuron_type",
    [nengo.SpikingRectifiedLinear(), nengo.RegularSpiking(nengo.LIFRate())],
    ids=lambda v: type(v).__name__,
)
def test_multi_spike_types_lose_nothing(neuron_type):
    """These types integrate their rate and emit every spike of a step."""
    with nengo.Network(seed=6) as net:
        nengo.Ensemble(50, 1, neuron_type=neuron_type, max_rates=[350] * 50)
    (record,) = audit(net, 0.005)
    assert abs(record.spike_loss) <= record.resolution


def test_adaptation_is_reported_as_not_the_time_steps_loss():
    """A type with no exact reference that fires below its (unadapted) rate
    curve at every dt: RegularSpiking of the adaptive rate type."""
    neuron_type = nengo.RegularSpiking(nengo.AdaptiveLIFRate(inc_n=0.05))
    with nengo.Network(seed=7) as net:
        nengo.Ensemble(30, 1, neuron_type=neuron_type)
    (record,) = audit(net, 0.001)
    assert record.spike_loss > 0.05
    assert record.largest_dt is None
    assert "not the time step's" in record.recommendation


def test_nested_unlabelled_and_odd_ensembles():
    with nengo.Network(seed=8) as net:
        nengo.Ensemble(10, 1, label="top")
        with nengo.Network(label="sub"):
            nengo.Ensemble(10, 3, eval_points=np.array([[0.1, 0.2, 0.3]]))
            with nengo.Network():
                nengo.Ensemble(10, 1, eval_points=np.array([[0.5], [-0.5]]))
        silent = nengo.Ensemble(
            10, 1, intercepts=[0.9] * 10, encoders=[[1]] * 10, eval_points=[[-0.5]]
        )
        nengo.Ensemble(10, 2, eval_points=np.zeros((0, 2)), label="no points")
    records = audit(net, 0.001)
    names = [r.name for r in records]
    assert names == [
        "top",
        "ensembles[1]",
        "no points",
        "sub.ensembles[0]",
        "sub.networks[0].ensembles[0]",
    ]
    assert records[0].label == "top" and records[3].label is None
    by_path = {r.path: r for r in records}
    assert by_path["sub.ensembles[0]"].total_pairs == 10
    assert by_path["sub.networks[0].ensembles[0]"].status == MEASURED
    silent_record = by_path["ensembles[1]"]
    assert silent_record.status == NOT_MEASURABLE and "fires" in silent_record.reason
    assert silent.label is None
    assert by_path["ensembles[2]"].status == NOT_MEASURABLE
    assert "no eval points" in by_path["ensembles[2]"].reason


def test_audit_changes_nothing_and_is_reproducible():
    net = three_ensembles(seed=None)
    before = [(e.seed, e.label, e.neuron_type) for e in net.all_ensembles]
    first = audit(net, 0.005, search=False)
    second = audit(net, 0.005, search=False)
    assert first == second  # an unseeded network is built with the audit's seed
    assert net.seed is None
    assert [(e.seed, e.label, e.neuron_type) for e in net.all_ensembles] == before


def test_bad_arguments_name_the_parameter():
    net = three_ensembles(seed=1)
    for bad in [0, -0.001, float("nan"), float("inf")]:
        with pytest.raises(nengo.exceptions.ValidationError, match="dt"):
            audit(net, bad)
    with pytest.raises(nengo.exceptions.ValidationError, match="threshold"):
        audit(net, 0.001, threshold=1.5)
    with pytest.raises(nengo.exceptions.ValidationError, match="network"):
        audit(nengo.Ensemble, 0.001)


def test_cost_is_bounded_whatever_the_ensemble_size():
    """The neuron-steps each ensemble takes stay under the documented bound and
    do not grow with its size (10 ensembles; the time is not asserted: the
    machine's load would make it flaky)."""

    with nengo.Network(seed=9) as net:
        for i in range(10):
            nengo.Ensemble(
                2000, 1 + i % 3, max_rates=nengo.dists.Uniform(100 + 30 * i, 400)
            )
    dt = 0.005  # most of these lose more than 1 %: the search runs too
    records = audit(net, dt)
    most_pairs = cost_bound(dt, search=False) / round(DURATION / dt)
    for record in records:
        assert record.status == MEASURED
        assert 0 < record.element_steps <= cost_bound(dt)
        assert record.sampled_pairs <= most_pairs < record.total_pairs / 100
    assert sum(r.largest_dt is not None for r in records) >= 5  # searches ran


def test_adaptive_lif_is_pointed_to_the_exact_adaptive_type():
    with nengo.Network(seed=10) as net:
        nengo.Ensemble(
            30, 1, neuron_type=nengo.AdaptiveLIF(tau_n=0.5, inc_n=0.02, tau_ref=0.001)
        )
    (record,) = audit(net, 0.005, search=False)
    assert record.exact_type == (
        "nengo_tuning.ExactAdaptiveLIF(tau_n=0.5, inc_n=0.02, tau_ref=0.001)"
    )


def test_top_level_names_are_the_functions_even_after_the_submodule_import():
    """``nengo_tuning.audit`` is the function, however the package that defines
    it (``nengo_tuning.spike_audit``) was imported first."""
    import importlib

    import nengo_tuning

    # not "import nengo_tuning.spike_audit as module", which reads the attribute
    module = importlib.import_module("nengo_tuning.spike_audit")

    assert nengo_tuning.audit is module.audit
    assert nengo_tuning.lost_spike_warnings is module.lost_spike_warnings
    assert nengo_tuning.LostSpikesWarning is module.LostSpikesWarning


class FailingStep(nengo.LIF):
    """A type whose step raises (a user's type with a bug)."""

    def step(self, dt, J, output, voltage, refractory_time):
        raise FloatingPointError("broken")


def test_a_type_whose_methods_raise_is_not_measurable_with_the_error():
    with nengo.Network(seed=11) as net:
        nengo.Ensemble(10, 1, neuron_type=FailingStep(), label="broken")
    (record,) = audit(net, 0.001)
    assert record.status == NOT_MEASURABLE
    assert "FailingStep.step() raised FloatingPointError: broken" in record.reason
    assert record.max_rate > 0  # the rates were measured


def adaptive_ensemble(neuron_type, seed=12):
    """10 neurons x 10 eval points (100 pairs, none sampled away)."""
    return small_ensemble(
        neuron_type, nengo.dists.Uniform(250, 350), seed=seed, n_eval_points=10
    )


@pytest.mark.parametrize("dt", [0.003, 0.005])
def test_adaptive_lif_loss_is_the_time_steps_against_nengo_at_a_small_dt(dt):
    """For nengo.AdaptiveLIF the loss is against the neuron's own spikes in
    continuous time, not its unadapted rates(): here against nengo's simulator
    at dt = 0.1 ms (nengo.AdaptiveLIF there is within a spike per pair of the
    exact count), on the very currents of the built ensemble."""
    neuron_type = nengo.AdaptiveLIF(tau_n=0.2, inc_n=0.05)
    net, ens = adaptive_ensemble(neuron_type)
    J = built_currents(net, ens, dt)
    fine = nengo_spike_counts(J, neuron_type, 1e-4)
    coarse = nengo_spike_counts(J, neuron_type, dt)
    expected = 1 - coarse.sum() / fine.sum()
    tolerance = 2 * np.count_nonzero(fine) / fine.sum()
    against_rates = 1 - coarse.sum() / (DURATION * lif_rate(J).sum())

    (record,) = audit(net, dt, search=False)
    assert record.status == MEASURED
    assert abs(record.spike_loss - expected) <= tolerance
    assert expected > 2 * tolerance  # a real loss to the time step...
    assert against_rates - expected > 5 * tolerance  # ...and adaptation's is not in it


def test_exact_adaptive_lif_is_reported_to_lose_nothing():
    """The recommended replacement loses nothing when audited, and its count
    is nengo.AdaptiveLIF's at dt = 0.1 ms to a spike per pair (independent)."""
    dt = 0.005
    parameters = {"tau_n": 0.2, "inc_n": 0.05}
    lossy_net, _ = adaptive_ensemble(nengo.AdaptiveLIF(**parameters))
    (lossy,) = audit(lossy_net, dt, search=False)
    assert lossy.spike_loss > 0.05
    assert lossy.exact_type == "nengo_tuning.ExactAdaptiveLIF(tau_n=0.2, inc_n=0.05)"

    net, ens = adaptive_ensemble(ExactAdaptiveLIF(**parameters))
    (record,) = audit(net, dt)
    assert abs(record.spike_loss) <= record.resolution
    assert record.recommendation.startswith("keep dt")

    J = built_currents(net, ens, dt)
    fine = nengo_spike_counts(J, nengo.AdaptiveLIF(**parameters), 1e-4)
    exact = nengo_spike_counts(J, ExactAdaptiveLIF(**parameters), dt)
    assert np.all(np.abs(exact - fine) <= 1)


def test_the_seed_is_checked_before_any_work(monkeypatch):
    """None (nengo's "random") and anything but a whole number from 0 to
    2**32 - 1 are refused, naming seed, before the network is built."""

    def no_build(*args):
        raise AssertionError("built")

    net = three_ensembles(seed=1)
    monkeypatch.setattr(model_audit, "_build", no_build)
    for bad in [None, 1.5, "3", True]:
        with pytest.raises(TypeError, match="seed.*2\\*\\*32 - 1"):
            audit(net, 0.001, seed=bad)
    for bad in [-1, 2**32, 2**40]:
        with pytest.raises(ValueError, match="seed.*2\\*\\*32 - 1"):
            audit(net, 0.001, seed=bad)
    monkeypatch.undo()
    with nengo.Network(seed=2) as small:
        nengo.Ensemble(10, 1)
    top = audit(small, 0.001, seed=np.uint32(2**32 - 1), search=False)
    assert top == audit(small, 0.001, seed=2**32 - 1, search=False)


def test_audit_many_needs_a_dt():
    net = three_ensembles(seed=1)
    for bad in [[], (), 0.001]:
        with pytest.raises(nengo.exceptions.ValidationError, match="dts"):
            audit_many(net, bad)


def test_a_dt_beyond_the_work_limit_is_refused_before_any_work(monkeypatch):
    """cost_bound grows as 1 / dt: at 1 ns it is 7e11 neuron-steps (hours). The
    default limit refuses it at once, naming dt and max_neuron_steps; the
    limit is a keyword, and None lifts it."""
    net = three_ensembles(seed=1)
    with monkeypatch.context() as patched:
        patched.setattr(model_audit, "_build", lambda *args: pytest.fail("built"))
        with pytest.raises(
            nengo.exceptions.ValidationError, match="dt.*max_neuron_steps"
        ):
            audit(net, 1e-9)
        with pytest.raises(nengo.exceptions.ValidationError, match="max_neuron_st"):
            audit_many(net, [0.001, 1e-9])
        with pytest.raises(nengo.exceptions.ValidationError, match="max_neuron_st"):
            audit(net, 0.001, search=False, max_neuron_steps=1e6)
        with pytest.raises(nengo.exceptions.ValidationError, match="max_neuron_st"):
            audit(net, 0.001, max_neuron_steps=0)
    with nengo.Network(seed=2) as small:
        nengo.Ensemble(10, 1)
    # the default allows every dt of the command line (1e-5 to 0.1 s)
    for dt in np.geomspace(1e-5, 0.1, 200):
        assert cost_bound(dt) <= DEFAULT_MAX_NEURON_STEPS
    (record,) = audit(small, 2e-4, search=False, max_neuron_steps=None)  # no limit
    assert 0 < record.element_steps <= cost_bound(2e-4, False, nengo.LIF()) < 2e7
    with pytest.raises(nengo.exceptions.ValidationError, match="max_neuron_st"):
        audit(small, 2e-4, search=False, max_neuron_steps=1e6)
