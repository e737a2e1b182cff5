"""A small real training run: scikit-learn digits, SoftLIF trained, run as spikes."""

import importlib.util
from pathlib import Path

import nengo
import pytest

pytest.importorskip("nengo_dl", reason="needs the dl extra (NengoDL)")
pytest.importorskip("sklearn", reason="needs scikit-learn (the tests extra)")

EXAMPLE = Path(__file__).parents[1] / "examples" / "digits_training.py"


def load_example():
    spec = importlib.util.spec_from_file_location("digits_training", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_digits_train_rates_run_spikes():
    """Trained through SoftLIF rates, the network classifies well as spikes.

    Chance is 10%; a linear classifier on these pixels gets about 95%. The bars
    leave a few points of margin below what this configuration reaches (rates
    ~98%, spikes ~97-98%).
    """
    digits = load_example()
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    net, inp, hidden, probe = digits.build_network(n_hidden=64)
    digits.train(net, probe, x_train, y_train, epochs=10)
    trained = hidden.neuron_type

    hidden.neuron_type = digits.SoftLIFRate(sigma=trained.sigma, amplitude=0.01)
    assert digits.accuracy(net, inp, probe, x_test, y_test, 0.001, 1) > 0.93

    hidden.neuron_type = trained
    assert digits.accuracy(net, inp, probe, x_test, y_test, 0.001, 60) > 0.9

    # dt = 5 ms, rates scaled 20x (well past 1/dt): the exact spikes still classify
    hidden.neuron_type = digits.scaled(trained, 20)
    acc_exact = digits.accuracy(net, inp, probe, x_test, y_test, 0.005, 12)
    hidden.neuron_type = digits.scaled(nengo.LIF(amplitude=0.01), 20)
    acc_lif = digits.accuracy(net, inp, probe, x_test, y_test, 0.005, 12)
    assert acc_exact > 0.9
    assert acc_exact >= acc_lif - 0.01
