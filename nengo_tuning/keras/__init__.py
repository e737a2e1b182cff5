"""Keras support: the SoftLIF activation layer (:mod:`.activation`) and the
Keras-to-Nengo converter that knows it (:mod:`.converter`). Both import TensorFlow.
"""
