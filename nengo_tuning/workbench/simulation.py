"""Small Nengo helpers shared by the workbench's studies.

A quiet simulator without the decoder cache, the default test points, the
points decoders are solved on, the sine input and its values at every step, the
RMSE, the one-step delay of Nengo's probe filters, and optional progress bars.

The studies and the command's checks take their points from the same functions
here, so a function to decode is checked, before a study runs, at exactly the
points the study will evaluate it at.
"""

import nengo
import numpy as np

#: Seeds are whole numbers below this (those numpy's and Nengo's RNGs accept).
SEED_LIMIT = 2**32


def offset_seed(seed, offset):
    """``seed + offset``, wrapped into the seeds numpy accepts (``[0, 2**32)``).

    The same as ``seed + offset`` for every seed but the last few; the largest
    seed the command takes, ``2**32 - 1``, stays usable (Nengo's simulator adds
    one to the network's seed, ``decode`` one per trial).
    """
    return (int(seed) + int(offset)) % SEED_LIMIT


def default_test_points(dimensions, n_points, radius, rng):
    """An even grid for 1-D, uniform samples from the ball for N-D."""
    if dimensions == 1:
        return np.linspace(-radius, radius, n_points)[:, None]
    ball = nengo.dists.UniformHypersphere(surface=False)
    return radius * ball.sample(n_points, dimensions, rng=rng)


def decoder_eval_points(n_neurons, dimensions, seed):
    """The points an ensemble's decoders are solved on, given to Nengo explicitly.

    Nengo's own default, drawn from the seed: as many points as
    ``nengo.utils.builder.default_n_eval_points`` gives, uniform in the unit ball
    (Nengo scales them by the ensemble's radius).
    """
    from nengo.utils.builder import default_n_eval_points

    n_points = default_n_eval_points(n_neurons, dimensions)
    ball = nengo.dists.UniformHypersphere(surface=False)
    return ball.sample(n_points, dimensions, rng=np.random.RandomState(seed))


def sine(frequency):
    """The input ``x(t) = sin(2 pi f t)``, as a `nengo.Node` output function."""

    def output(t):
        return np.sin(2 * np.pi * frequency * t)

    return output


def sine_values(frequency, dt, sim_time):
    """``x(t)`` at every step of a run of ``sim_time`` (what a probe records)."""
    n_steps = int(np.round(sim_time / dt))  # as nengo.Simulator.run
    return sine(frequency)(np.arange(1, n_steps + 1) * dt)[:, None]


def rms_error(estimate, target):
    """Root-mean-square of ``estimate - target`` over all elements."""
    return float(np.sqrt(np.mean((np.asarray(estimate) - np.asarray(target)) ** 2)))


def quiet_simulator(network, dt=0.001):
    """A quiet `nengo.Simulator` without the decoder cache.

    The models here are small and built once each: the on-disk cache would only
    add file locking (and lock warnings when several processes share it). The
    simulator's seed is Nengo's default, the network's seed plus one
    (`offset_seed`).
    """
    model = nengo.builder.Model(dt=dt, decoder_cache=nengo.cache.NoDecoderCache())
    # Nengo's own default, network.seed + 1, wrapped (it overflows at 2**32 - 1)
    seed = None if network.seed is None else offset_seed(network.seed, 1)
    return nengo.Simulator(network, dt=dt, seed=seed, model=model, progress_bar=False)


def delay_one_step(signal):
    """``signal`` one step later (zeros first): how Nengo's probe filters see it."""
    return np.concatenate([np.zeros_like(signal[:1]), signal[:-1]])


def progress_bar(iterable, enabled, description):
    """``iterable`` with a tqdm progress bar when ``enabled``."""
    if not enabled:
        return iterable
    from tqdm.auto import tqdm  # only the CLI and interactive users ask for bars

    return tqdm(iterable, desc=description, leave=False)
