"""The pure rate-curve study: LIF against SoftLIF near threshold (no Nengo).

:func:`smooth_vs_sharp` evaluates the formulas of :mod:`nengo_tuning.math`
on a current grid: the LIF curve, whose derivative is unbounded at threshold,
against SoftLIF curves for several ``sigma``, whose derivatives are bounded.
"""

from dataclasses import dataclass

import numpy as np

from nengo_tuning.math import lif, softlif

__all__ = ["PEAK_SEARCH_STEP", "SmoothVsSharp", "smooth_vs_sharp"]

#: Step, in units of sigma, of the fine grid on which the peak SoftLIF slope is
#: searched (see `SmoothVsSharp.peak_derivative`).
PEAK_SEARCH_STEP = 1 / 50


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
        LIF rate ``G(J)`` and ``dG/dJ`` (:func:`~nengo_tuning.math.lif.lif_rate`,
        :func:`~nengo_tuning.math.lif.lif_rate_derivative`).
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
                softlif.softlif_rate(threshold, s, self.tau_rc, self.tau_ref)[0]
                for s in self.sigmas
            ]
        )

    @property
    def peak_derivative(self):
        """Largest SoftLIF derivative for each sigma, in Hz per unit current.

        Searched on a grid of step ``PEAK_SEARCH_STEP * sigma`` from
        ``J = 1 - 20 sigma`` to ``1 + 100 sigma`` (where the peak lies) as well as
        on ``currents``, so it does not depend on how fine ``currents`` is.
        """
        peaks = []
        for sigma, derivatives in zip(self.sigmas, self.softlif_derivatives):
            n_steps = round(120 / PEAK_SEARCH_STEP)
            fine = 1.0 + sigma * np.linspace(-20.0, 100.0, n_steps + 1)
            fine_derivatives = softlif.softlif_rate_derivative(
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
        SoftLIF smoothing values (positive, finite).
    currents : array_like, optional
        Currents; default 2001 points over ``[0, 3]``.
    tau_rc, tau_ref : float
        Neuron time constants, in seconds (``tau_rc > 0``, ``tau_ref >= 0``, finite).

    Returns
    -------
    result : SmoothVsSharp
        Rates and derivatives on the current grid.

    Raises
    ------
    ValueError
        If a sigma or time constant is out of range (the message names it).
    """
    sigmas = np.asarray(sigmas, dtype=float)
    if not np.all((sigmas > 0) & np.isfinite(sigmas)):
        raise ValueError("every sigma must be positive and finite")
    if not (tau_rc > 0 and np.isfinite(tau_rc)):
        raise ValueError(f"tau_rc must be positive and finite (got {tau_rc})")
    if not (tau_ref >= 0 and np.isfinite(tau_ref)):
        raise ValueError(f"tau_ref must be zero or positive and finite (got {tau_ref})")
    if currents is None:
        currents = np.linspace(0.0, 3.0, 2001)
    currents = np.asarray(currents, dtype=float)
    return SmoothVsSharp(
        currents=currents,
        sigmas=sigmas,
        lif_rates=lif.lif_rate(currents, tau_rc, tau_ref),
        lif_derivatives=lif.lif_rate_derivative(currents, tau_rc, tau_ref),
        softlif_rates=np.array(
            [softlif.softlif_rate(currents, s, tau_rc, tau_ref) for s in sigmas]
        ),
        softlif_derivatives=np.array(
            [
                softlif.softlif_rate_derivative(currents, s, tau_rc, tau_ref)
                for s in sigmas
            ]
        ),
        tau_rc=float(tau_rc),
        tau_ref=float(tau_ref),
    )
