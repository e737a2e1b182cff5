"""Small networks shared by the tests."""

import nengo


def neurons_fed_directly(stim, n_neurons, neuron_type):
    """An ensemble whose neurons get ``stim``'s output as their current.

    Gain 1 and bias 0, connected straight to the neurons without a synapse, so
    that a test controls each neuron's input current ``J`` exactly. Call inside
    a network's ``with`` block; returns probes of the output, ``voltage`` and
    ``refractory_time``.
    """
    ens = nengo.Ensemble(
        n_neurons,
        1,
        neuron_type=neuron_type,
        gain=nengo.dists.Choice([1.0]),
        bias=nengo.dists.Choice([0.0]),
    )
    nengo.Connection(stim, ens.neurons, synapse=None)
    return [
        nengo.Probe(ens.neurons),
        nengo.Probe(ens.neurons, "voltage"),
        nengo.Probe(ens.neurons, "refractory_time"),
    ]
