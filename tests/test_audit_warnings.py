"""lost_spike_warnings: one warning per lossy ensemble while building, nothing else."""

import contextlib
import functools
import threading
import warnings

import nengo
import numpy as np
import pytest

from nengo_tuning.neurons import ExactLIF
from nengo_tuning.spike_audit import LostSpikesWarning, lost_spike_warnings


def model(seed=1):
    """Two lossy ensembles at 5 ms (one unlabelled, in a sub-network), one not."""
    with nengo.Network(seed=seed) as net:
        fast = nengo.Ensemble(
            60, 1, max_rates=nengo.dists.Uniform(300, 400), label="fast"
        )
        nengo.Ensemble(
            60,
            1,
            neuron_type=ExactLIF(),
            max_rates=nengo.dists.Uniform(300, 400),
            label="exact",
        )
        with nengo.Network(label="sub"):
            slow = nengo.Ensemble(60, 1, max_rates=nengo.dists.Uniform(150, 250))
        nengo.Connection(fast, slow)
        net.probe = nengo.Probe(slow, synapse=0.01)
    return net


def lost_spike_warnings_of(build):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build()
    return [w for w in caught if issubclass(w.category, LostSpikesWarning)]


def build(net, dt=0.005, simulator=None):
    simulator = simulator or functools.partial(nengo.Simulator, progress_bar=False)
    with simulator(net, dt=dt):
        pass


def test_one_warning_per_ensemble_over_the_threshold():
    net = model()
    with lost_spike_warnings():
        caught = lost_spike_warnings_of(lambda: build(net))
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2
    assert "'fast'" in messages[0] and "'sub.ensembles[0]'" in messages[1]
    for message in messages:
        assert "%" in message and "dt = 0.005 s" in message
        assert "use nengo_tuning.ExactLIF()" in message and "dt <= " in message
    assert issubclass(LostSpikesWarning, UserWarning)
    # the warning points at the line that built the simulator
    assert all(w.filename == __file__ for w in caught)


def test_none_under_the_threshold_nor_outside_the_context():
    net = model()
    with lost_spike_warnings():
        assert not lost_spike_warnings_of(lambda: build(net, dt=0.001))
    with lost_spike_warnings(threshold=0.9):
        assert not lost_spike_warnings_of(lambda: build(net))
    assert not lost_spike_warnings_of(lambda: build(net))


def test_the_builder_is_restored_exactly_and_nesting_works():
    builders = nengo.builder.Builder.builders
    original = builders[nengo.Ensemble]
    net = model()
    with lost_spike_warnings(threshold=0.9):
        assert builders[nengo.Ensemble] is not original
        with lost_spike_warnings():  # the innermost threshold applies
            assert len(lost_spike_warnings_of(lambda: build(net))) == 2
        assert builders[nengo.Ensemble] is not original
        assert not lost_spike_warnings_of(lambda: build(net))
    assert builders[nengo.Ensemble] is original
    with pytest.raises(RuntimeError), lost_spike_warnings():
        raise RuntimeError
    assert builders[nengo.Ensemble] is original


def test_bad_threshold_is_refused():
    refused = pytest.raises(nengo.exceptions.ValidationError, match="threshold")
    with refused, lost_spike_warnings(threshold=-0.1):
        pass
    assert nengo.builder.Builder.builders[nengo.Ensemble].__module__ == (
        "nengo.builder.ensemble"
    )


def test_the_model_and_its_simulation_are_unchanged():
    def run(context):
        net = model()
        with context, nengo.Simulator(net, dt=0.005, progress_bar=False) as sim:
            sim.run(0.2)
        params = {
            obj.label or str(i): sim.data[obj]
            for i, obj in enumerate(net.all_ensembles)
        }
        return params, sim.data[net.probe]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LostSpikesWarning)
        (plain_params, plain), (audited_params, audited) = (
            run(contextlib.nullcontext()),
            run(lost_spike_warnings()),
        )
    np.testing.assert_array_equal(plain, audited)
    for key, built in plain_params.items():
        for name, value in built._asdict().items():
            np.testing.assert_array_equal(value, getattr(audited_params[key], name))


def test_threads_outside_the_context_are_not_audited():
    net = model()
    seen = []

    def other_thread():
        seen.extend(lost_spike_warnings_of(lambda: build(net)))

    with lost_spike_warnings():
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert seen == []


def test_nengo_dl_simulator_warns_too(dl_sim):
    net = model()
    with lost_spike_warnings():
        caught = lost_spike_warnings_of(lambda: build(net, simulator=dl_sim))
    assert len(caught) == 2


def test_the_audit_itself_does_not_warn_inside_the_context():
    from nengo_tuning.spike_audit import audit

    net = model()
    with lost_spike_warnings():
        caught = lost_spike_warnings_of(lambda: audit(net, 0.005, search=False))
    assert caught == []


def test_the_recommended_adaptive_type_is_not_warned_about():
    """nengo.AdaptiveLIF at 5 ms is warned about with ExactAdaptiveLIF as the
    fix; the same network with ExactAdaptiveLIF is not (it loses nothing to the
    time step; its adaptation is not a loss to the time step)."""
    from nengo_tuning.neurons import ExactAdaptiveLIF

    def network(neuron_type):
        with nengo.Network(seed=3) as net:
            nengo.Ensemble(
                20, 1, neuron_type=neuron_type, max_rates=nengo.dists.Uniform(200, 300)
            )
        return net

    with lost_spike_warnings():
        lossy = lost_spike_warnings_of(lambda: build(network(nengo.AdaptiveLIF())))
        fixed = lost_spike_warnings_of(lambda: build(network(ExactAdaptiveLIF())))
    assert len(lossy) == 1 and "use nengo_tuning.ExactAdaptiveLIF()" in str(
        lossy[0].message
    )
    assert fixed == []


def test_a_dt_beyond_the_work_limit_is_not_measured_but_said():
    """At dt = 1e-7 an ensemble's measurement may take 7e9 neuron-steps: the
    build goes on, with one warning naming the limit, and nothing measured."""
    net = model()
    with lost_spike_warnings():
        caught = lost_spike_warnings_of(lambda: build(net, dt=1e-7))
    assert len(caught) == 3
    assert all("not audited" in str(w.message) for w in caught)
    assert all("max_neuron_steps" in str(w.message) for w in caught)
    with lost_spike_warnings(max_neuron_steps=1e12):
        pass  # accepted (not run here: it would take hours)
    refused = pytest.raises(nengo.exceptions.ValidationError, match="max_neuron_st")
    with refused, lost_spike_warnings(max_neuron_steps=-1):
        pass
