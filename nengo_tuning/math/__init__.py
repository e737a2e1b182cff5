"""The formulas of the neuron families, one module per family.

Every formula the package uses for leaky integrate-and-fire neurons lives here:
the rate curves and their derivatives with respect to the input current, their
inverses (current for a given rate), the exact membrane solution, and the exact
multi-spike step kernel. The numpy neuron types, the NengoDL (TensorFlow)
builders and the analysis tools all call these functions, so the three cannot
drift apart. The numerics behind them (stable forms, named constants, what
happens at the edges of the float range) are described in the documentation
page "Numerics and conventions" (``docs/neuron-math.rst``).

Conventions
-----------
The membrane voltage is normalized: threshold 1, reset 0, and the input current
``J`` is in the same units, so the LIF fires only when ``J > 1``. We write
``j = J - 1`` for the current above threshold.

Functions whose name ends in ``_xp`` are written once for any array namespace
``xp`` offering ``log``, ``log1p``, ``exp``, ``expm1``, ``abs``, ``floor``,
``maximum``, ``minimum`` and ``where`` with numpy semantics (numpy itself, or the
small TensorFlow adapter :data:`nengo_tuning.dl.tf_namespace.tf_xp`). They never
evaluate a formula outside its domain, not even in the branch of a ``where``
that is thrown away, so they make no NaN (and no NaN gradients in TensorFlow).
The only floating-point events they may raise are intended ones: a rate that
exceeds the float range becomes +inf, and in the slopes a term that overflows to
+inf where the slope is below the smallest float, which then comes out as 0. The
numpy entry points without the suffix call them, silence exactly those events,
and add dtype handling and NaN propagation.
"""
