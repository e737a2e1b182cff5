"""Small Nengo helpers shared by the workbench's studies.

A quiet simulator without the decoder cache, the default test points, the RMSE,
the one-step delay of Nengo's probe filters, and optional progress bars.
"""

import nengo
import numpy as np


def default_test_points(dimensions, n_points, radius, rng):
    """An even grid for 1-D, uniform samples from the ball for N-D."""
    if dimensions == 1:
        return np.linspace(-radius, radius, n_points)[:, None]
    ball = nengo.dists.UniformHypersphere(surface=False)
    return radius * ball.sample(n_points, dimensions, rng=rng)


def rms_error(estimate, target):
    """Root-mean-square of ``estimate - target`` over all elements."""
    return float(np.sqrt(np.mean((np.asarray(estimate) - np.asarray(target)) ** 2)))


def quiet_simulator(network, dt=0.001):
    """A quiet `nengo.Simulator` without the decoder cache.

    The models here are small and built once each: the on-disk cache would only
    add file locking (and lock warnings when several processes share it).
    """
    model = nengo.builder.Model(dt=dt, decoder_cache=nengo.cache.NoDecoderCache())
    return nengo.Simulator(network, dt=dt, model=model, progress_bar=False)


def delay_one_step(signal):
    """``signal`` one step later (zeros first): how Nengo's probe filters see it."""
    return np.concatenate([np.zeros_like(signal[:1]), signal[:-1]])


def progress_bar(iterable, enabled, description):
    """``iterable`` with a tqdm progress bar when ``enabled``."""
    if not enabled:
        return iterable
    from tqdm.auto import tqdm  # only the CLI and interactive users ask for bars

    return tqdm(iterable, desc=description, leave=False)
