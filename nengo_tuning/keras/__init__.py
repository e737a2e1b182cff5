"""Keras support: the SoftLIF activation layer (:mod:`.activation`) and the
Keras-to-Nengo converter that knows it (:mod:`.converter`). Both import TensorFlow.
"""

from nengo_tuning._lazy import lazy_submodules

__getattr__, __dir__ = lazy_submodules(__name__)
