"""`lost_spike_warnings`: a `LostSpikesWarning` per lossy ensemble while building.

Nengo's ensemble builder (``nengo.builder.Builder.builders[nengo.Ensemble]``,
which NengoDL's builder falls back on for ensembles too) is wrapped while some
thread is inside the context, and restored exactly when the last one leaves.
"""

import contextlib
import contextvars
import functools
import sys
import threading
import warnings
import weakref

import nengo

from nengo_tuning.spike_audit.model_audit import (
    AuditModel,
    audit_built_ensemble,
    check_threshold,
    ensemble_paths,
    ensemble_seed,
)
from nengo_tuning.spike_audit.spike_loss import (
    DEFAULT_MAX_NEURON_STEPS,
    DEFAULT_THRESHOLD,
    MEASURED,
    check_max_neuron_steps,
    over_the_limit,
)

__all__ = ["LostSpikesWarning", "lost_spike_warnings"]


class LostSpikesWarning(UserWarning):
    """An ensemble loses more spikes at the simulator's dt than the threshold."""


#: (threshold, max_neuron_steps) of the innermost `lost_spike_warnings` here.
_ACTIVE = contextvars.ContextVar("nengo_tuning_lost_spike_warnings", default=None)
_HOOK_LOCK = threading.Lock()
_hook = {"users": 0, "original": None, "wrapper": None}
#: ensemble -> path, per model being built (found once per model)
_paths = weakref.WeakKeyDictionary()
_PACKAGES = ("nengo", "nengo_dl", "nengo_tuning", "contextlib", "tensorflow")


def _caller_stacklevel():
    """The stack level of the first frame outside Nengo, NengoDL and this package."""
    frame, level = sys._getframe(1), 1
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.split(".")[0] not in _PACKAGES:
            return level
        frame, level = frame.f_back, level + 1
    return level


def _path_in(model, ens):
    if model.toplevel is None:
        return "ensembles[?]"
    if model not in _paths:
        _paths[model] = {e: p for e, p in ensemble_paths(model.toplevel)}
    return _paths[model].get(ens, "ensembles[?]")


def _warn_about(model, ens, settings):
    threshold, max_neuron_steps = settings
    too_much = over_the_limit(model.dt, True, max_neuron_steps, ens.neuron_type)
    if too_much:
        warnings.warn(
            LostSpikesWarning(
                f"ensemble {_path_in(model, ens)!r} not audited: {too_much}; "
                "lost_spike_warnings(max_neuron_steps=...) raises the limit "
                "(None: no limit)"
            ),
            stacklevel=_caller_stacklevel(),
        )
        return
    seed = ensemble_seed(model.seeds.get(ens, 0), 0)
    result = audit_built_ensemble(
        ens, model.params[ens], model.dt, _path_in(model, ens), seed, threshold
    )
    if result.status != MEASURED or result.spike_loss <= threshold:
        return
    warnings.warn(
        LostSpikesWarning(
            f"ensemble {result.name!r} ({result.neuron_type}, {result.n_neurons} "
            f"neurons) loses {result.spike_loss:.1%} of its rate curve's spikes at "
            f"dt = {result.dt:g} s (threshold {threshold:.1%}); fix: "
            f"{result.recommendation}"
        ),
        stacklevel=_caller_stacklevel(),
    )


def _install_hook():
    with _HOOK_LOCK:
        if _hook["users"] == 0:
            builders = nengo.builder.Builder.builders
            original = builders[nengo.Ensemble]

            @functools.wraps(original)
            def build_ensemble_and_audit(model, ens, *args, **kwargs):
                built = original(model, ens, *args, **kwargs)
                settings = _ACTIVE.get()
                # the audit's own build is not warned about (it reports instead)
                if settings is not None and not isinstance(model, AuditModel):
                    _warn_about(model, ens, settings)
                return built

            _hook.update(original=original, wrapper=build_ensemble_and_audit)
            builders[nengo.Ensemble] = build_ensemble_and_audit
        _hook["users"] += 1


def _remove_hook():
    with _HOOK_LOCK:
        _hook["users"] -= 1
        if _hook["users"] == 0:
            builders = nengo.builder.Builder.builders
            # someone who replaced our wrapper meanwhile keeps their builder
            if builders.get(nengo.Ensemble) is _hook["wrapper"]:
                builders[nengo.Ensemble] = _hook["original"]
            _hook.update(original=None, wrapper=None)


@contextlib.contextmanager
def lost_spike_warnings(
    threshold=DEFAULT_THRESHOLD, max_neuron_steps=DEFAULT_MAX_NEURON_STEPS
):
    """Warn about every ensemble that loses spikes, while building simulators.

    Inside the block, building a `nengo.Simulator` or a ``nengo_dl.Simulator``
    (which builds ensembles with Nengo's builder) measures each ensemble as it is
    built (its own gains, biases and eval points, at the simulator's dt; see
    `~.model_audit.audit`) and warns with a `LostSpikesWarning` per ensemble whose
    ``spike_loss`` exceeds ``threshold``, naming it, its loss and the fix.

    The model and the build are unchanged: the measurement reads the built
    ensemble and uses its own random numbers. Nengo's ensemble builder is wrapped
    only while some thread is inside such a block (then the wrapper costs builds
    elsewhere one lookup) and restored exactly after the last one exits. Blocks
    nest (the innermost threshold applies); the setting is per thread (and per
    asyncio task): builds in threads started inside the block are not audited.
    Each ensemble's measurement costs at most
    `nengo_tuning.spike_audit.spike_loss.cost_bound` neuron-steps, whatever its size.

    Parameters
    ----------
    threshold : float
        Loss above which to warn, a fraction in [0, 1) (default 1 %).
    max_neuron_steps : float or None
        As in `~.model_audit.audit`: an ensemble whose measurement at the
        simulator's dt may take more neuron-steps is not measured; a
        `LostSpikesWarning` says so instead (and the build goes on). None: no
        limit.
    """
    settings = (check_threshold(threshold), check_max_neuron_steps(max_neuron_steps))
    token = _ACTIVE.set(settings)
    _install_hook()
    try:
        yield
    finally:
        _remove_hook()
        _ACTIVE.reset(token)
