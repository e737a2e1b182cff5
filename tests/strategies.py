"""Hypothesis strategies shared by the test modules: currents and parameters.

Currents cover what a neuron may meet: values within a few ulps of the threshold
1, huge values up to the float maximum, tiny ones, +-inf and NaN, in float32 and
float64.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = [np.float32, np.float64]


def currents(dtype):
    """Currents a test should try: near 1 to the ulp, huge, tiny, +-inf, NaN."""
    finfo = np.finfo(dtype)
    eps = float(finfo.eps)
    width = finfo.bits
    return st.one_of(
        # within a few ulps of threshold (ulps below 1 are half as large)
        st.integers(-8, 8).map(lambda k: 1.0 + k * (eps if k > 0 else eps / 2)),
        st.sampled_from(
            [np.inf, -np.inf, np.nan, float(finfo.max), -float(finfo.max), 0.0, 1.0]
        ),
        st.floats(1.0, float(finfo.max), width=width),  # above threshold
        st.floats(0.0, np.log10(float(finfo.max)) - 1e-9).map(
            lambda e: float(dtype(10.0**e))  # log-uniform above 1
        ),
        st.floats(allow_nan=False, width=width),
    )


def current_arrays(dtype, size=None):
    """Arrays of `currents`; ``size`` fixes the length (e.g. to avoid retracing)."""
    shape = st.integers(1, 12) if size is None else size
    return hnp.arrays(dtype, shape, elements=currents(dtype))


@st.composite
def lif_parameters(draw, dtype):
    """(tau_rc, tau_ref, amplitude), as the dtype will hold them."""
    tau_rc = draw(st.floats(1e-3, 1.0))
    tau_ref = draw(st.one_of(st.just(0.0), st.floats(1e-4, 1e-2)))
    amplitude = draw(st.floats(1e-2, 10.0))
    return tuple(float(dtype(p)) for p in (tau_rc, tau_ref, amplitude))
