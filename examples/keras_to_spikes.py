"""From a Keras model to an exactly spiking Nengo network, on scikit-learn's digits.

A small Keras MLP (64 pixels -> 64 hidden units -> 10 logits) is trained in plain
``tf.keras`` with the `SoftLIFActivation` hidden layer, converted with
`nengo_tuning.keras.converter.Converter`, checked as rates, and run as spikes at
dt = 1 ms and 5 ms for a few presentation times and firing-rate scales, next to:

* NengoDL's standard route: the same MLP trained with ``relu``, converted with
  ``swap_activations={tf.nn.relu: nengo.SpikingRectifiedLinear()}`` and
  ``scale_firing_rates``;
* the SoftLIF-trained network converted to `nengo.LIF` neurons (exact rate
  scaling too), which keep at most one spike per step;
* the ReLU-trained MLP on exact LIF neurons (`nengo_tuning.keras.converter.relu_lif`:
  ``tau_ref = 0``, a ReLU within ``1 / scale`` under NengoDL's input scaling).

For each it reports the accuracy on held-out digits (output averaged over the
second half of the presentation), the hidden spikes per inference, and the wall
time per inference relative to NengoDL's standard route at the same dt,
presentation time and scale index. Run: ``python examples/keras_to_spikes.py``
(a few minutes on 2 cores).
"""

import time
import warnings

# nengo_tuning before nengo_dl: on TensorFlow >= 2.13 it prepares NengoDL's import
import nengo_tuning  # noqa: F401

# isort: split
import matplotlib.pyplot as plt
import nengo
import nengo_dl
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits

from nengo_tuning.keras.activation import SoftLIFActivation
from nengo_tuning.keras.converter import Converter, relu_lif

warnings.filterwarnings("ignore", message="No GPU support detected")
warnings.filterwarnings("ignore", message="Converting sequential model")
# nengo.LIF's max_rates_intercepts (for its repr) divides by zero at gain 1, bias 0
warnings.filterwarnings("ignore", message="divide by zero", category=RuntimeWarning)

#: Output scale of the SoftLIF hidden layer: rates of ~100 Hz give activations ~1.
AMPLITUDE = 0.01

#: The routes from a trained model to spikes: the hidden layer it was trained
#: with -> the spiking neurons it runs with.
ROUTES = (
    "SoftLIF -> nengo_tuning.SoftLIF",
    "SoftLIF -> nengo.LIF",
    "ReLU -> SpikingRectifiedLinear",
    "ReLU -> ExactLIF (relu_lif)",
)


def load_data(seed=0):
    """Digits scaled to [0, 1], split 2/3 train, 1/3 test."""
    digits = load_digits()
    x = digits.data.astype(np.float32) / 16.0
    y = digits.target
    order = np.random.RandomState(seed).permutation(len(y))
    x, y = x[order], y[order]
    n_train = 2 * len(y) // 3
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def build_model(hidden="softlif", n_hidden=64, seed=0):
    """A Keras MLP with a SoftLIF or a ReLU hidden layer.

    Returns the model and the hidden layer's output tensor (to probe it).
    """
    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((64,))
    if hidden == "softlif":
        h = tf.keras.layers.Dense(n_hidden)(inp)
        h = SoftLIFActivation(amplitude=AMPLITUDE)(h)
    elif hidden == "relu":
        h = tf.keras.layers.Dense(n_hidden, activation=tf.nn.relu)(inp)
    else:
        raise ValueError(f"hidden must be 'softlif' or 'relu' (got {hidden!r})")
    out = tf.keras.layers.Dense(10)(h)
    return tf.keras.Model(inp, out), h


def train(model, x, y, epochs=30):
    """Plain Keras training: Adam, cross-entropy on the logits."""
    model.compile(
        optimizer=tf.keras.optimizers.Adam(0.005),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model


def keras_accuracy(model, x, y):
    """Accuracy of the Keras model itself."""
    return np.mean(np.argmax(model.predict(x, verbose=0), axis=1) == y)


def convert(model, hidden, route, scale):
    """Convert ``model`` along ``route`` (one of `ROUTES`, or "rates")."""
    if route == "rates":
        conv = Converter(model)
    elif route == ROUTES[0]:
        conv = Converter(model, softlif_neurons="spikes", scale_firing_rates=scale)
    elif route == ROUTES[1]:
        conv = Converter(model, softlif_neurons=nengo.LIF, scale_firing_rates=scale)
    elif route == ROUTES[2]:
        conv = nengo_dl.Converter(
            model,
            swap_activations={tf.nn.relu: nengo.SpikingRectifiedLinear()},
            scale_firing_rates=scale,
        )
    elif route == ROUTES[3]:
        conv = nengo_dl.Converter(
            model, swap_activations={tf.nn.relu: relu_lif()}, scale_firing_rates=scale
        )
    else:
        raise ValueError(f"unknown route {route!r}")
    with conv.net:
        hidden_probe = nengo.Probe(conv.layers[hidden])
    return conv, hidden_probe


def rate_accuracy(conv, model, x, y):
    """Accuracy of the converted network run for one step (rate neurons)."""
    with nengo_dl.Simulator(conv.net, minibatch_size=len(y), progress_bar=False) as sim:
        out = sim.predict({conv.inputs[model.input]: x[:, None, :]}, verbose=0)
    logits = out[conv.outputs[model.output]][:, 0]
    return np.mean(np.argmax(logits, axis=1) == y)


def run_spiking(conv, hidden_probe, model, x, y, dt, presentation_times, repeats=1):
    """Accuracy, spikes and wall time per inference for each presentation time.

    One run of the longest presentation serves every presentation time: the
    network is feed-forward and starts from the same state for every example,
    so its first ``n`` steps are exactly a run of ``n`` steps. The wall time per
    inference is the time per step of that run (the fastest of ``repeats``
    runs, after a warm-up run that traces the TensorFlow graph) times the steps
    of each presentation.
    """
    n_steps = [round(t / dt) for t in presentation_times]
    data = {conv.inputs[model.input]: np.tile(x[:, None, :], (1, max(n_steps), 1))}
    neurons = hidden_probe.target
    amplitude = neurons.ensemble.neuron_type.amplitude
    with nengo_dl.Simulator(
        conv.net, dt=dt, minibatch_size=len(y), progress_bar=False
    ) as sim:
        sim.predict(data, verbose=0)
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            out = sim.predict(data, verbose=0)
            seconds.append(time.perf_counter() - start)
        seconds_per_step = min(seconds) / max(n_steps)
    logits = out[conv.outputs[model.output]]
    # each spike adds amplitude / dt to the output of its step
    spikes = out[hidden_probe] * (dt / amplitude)
    results = []
    for n in n_steps:
        predicted = np.argmax(logits[:, n // 2 : n].mean(axis=1), axis=1)
        results.append(
            {
                "accuracy": np.mean(predicted == y),
                "spikes": spikes[:, :n].sum(axis=(1, 2)).mean(),
                "seconds": seconds_per_step * n / len(y),
            }
        )
    return results


def compare(
    epochs=30,
    dts=(0.001, 0.005),
    presentation_times=(0.01, 0.03, 0.1),
    scales=((1, 10, 50), (1, 10, 50), (50, 500, 2500), (1, 10, 50)),
    repeats=1,
):
    """Train both models, convert them along every route, and measure.

    ``scales[i]`` are the firing-rate scales of ``ROUTES[i]``: a ReLU activation
    ``x`` fires at ``scale * x`` Hz as SpikingRectifiedLinear and at about
    ``scale * x / tau_rc`` as relu_lif, and the SoftLIF activations (amplitude
    0.01) at 100 Hz times ``scale`` per unit, so the routes need different scales
    for comparable spike counts.

    Returns
    -------
    summary : dict
        Keras and converted-rate accuracies of both models.
    rows : list of dict
        One row per route, dt, scale and presentation time.
    """
    (x_train, y_train), (x_test, y_test) = load_data()
    models = {}
    summary = {}
    for hidden in ("softlif", "relu"):
        model, hidden_out = build_model(hidden)
        train(model, x_train, y_train, epochs=epochs)
        models[hidden] = model, hidden_out
        summary[f"{hidden} Keras"] = keras_accuracy(model, x_test, y_test)
    # the converted rate networks compute the Keras models' functions
    model, hidden_out = models["softlif"]
    summary["softlif -> SoftLIFRate"] = rate_accuracy(
        convert(model, hidden_out, "rates", 1)[0], model, x_test, y_test
    )
    model, hidden_out = models["relu"]
    summary["relu -> RectifiedLinear"] = rate_accuracy(
        nengo_dl.Converter(model), model, x_test, y_test
    )

    rows = []
    for dt in dts:
        for scale_index in range(len(scales[0])):
            # the routes are interleaved, so the load of the machine hits them alike
            for route, route_scales in zip(ROUTES, scales):
                model, hidden_out = models["relu" if "ReLU" in route else "softlif"]
                scale = route_scales[scale_index]
                conv, probe = convert(model, hidden_out, route, scale)
                results = run_spiking(
                    conv, probe, model, x_test, y_test, dt, presentation_times, repeats
                )
                for t, result in zip(presentation_times, results):
                    rows.append(
                        dict(
                            result,
                            route=route,
                            dt=dt,
                            scale=scale,
                            time=t,
                            index=scale_index,
                        )
                    )
    # wall time relative to NengoDL's standard route in the same conditions
    anchors = {
        (row["dt"], row["time"], row["index"]): row["seconds"]
        for row in rows
        if row["route"] == ROUTES[2]
    }
    for row in rows:
        row["time_ratio"] = (
            row["seconds"] / anchors[row["dt"], row["time"], row["index"]]
        )
    return summary, rows


def markdown_table(rows):
    """The measurements as a Markdown table."""
    lines = [
        (
            "| route | dt | rate scale | presentation | accuracy "
            "| spikes / inference | wall time / inference (vs SpikingRectifiedLinear) |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['route']} | {row['dt'] * 1e3:g} ms | {row['scale']:g} "
            f"| {row['time'] * 1e3:g} ms | {row['accuracy']:.3f} "
            f"| {row['spikes']:.0f} | {row['time_ratio']:.2f} |"
        )
    return "\n".join(lines)


def plot(rows, dts=(0.001, 0.005)):
    """Accuracy against spikes per inference, one panel per dt."""
    fig, axes = plt.subplots(1, len(dts), figsize=(5 * len(dts), 4), sharey=True)
    axes = np.atleast_1d(axes)
    markers = dict(zip(ROUTES, "osv^"))
    times = sorted({row["time"] for row in rows})
    for ax, dt in zip(axes, dts):
        for route in ROUTES:
            for t, linestyle in zip(times, ("--", "-", ":")):
                sel = [r for r in rows if r["route"] == route and r["dt"] == dt]
                sel = [r for r in sel if r["time"] == t]
                ax.semilogx(
                    [r["spikes"] for r in sel],
                    [r["accuracy"] for r in sel],
                    marker=markers[route],
                    linestyle=linestyle,
                    color=f"C{ROUTES.index(route)}",
                    label=f"{route}, {t * 1e3:g} ms",
                )
        ax.set_title(f"dt = {dt * 1e3:g} ms")
        ax.set_xlabel("hidden spikes per inference")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("test accuracy")
    axes[0].legend(fontsize="x-small", loc="lower right")
    fig.tight_layout()
    return fig


def main():
    summary, rows = compare(repeats=3)
    for name, acc in summary.items():
        print(f"{name}: {acc:.3f}")
    print()
    print(markdown_table(rows))
    plot(rows).savefig("keras_to_spikes.png", dpi=100)


if __name__ == "__main__":
    main()
