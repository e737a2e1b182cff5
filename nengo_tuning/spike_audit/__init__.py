r"""How many spikes does a model lose at its time step? An audit, and warnings.

`~.model_audit.audit` measures, for every ensemble of a network, the fraction
of its rate curve's spikes that its neuron type does not emit at a given ``dt``
(``spike_loss``), the error those lost spikes add to the decoded value, and what
to change. `~.build_hook.lost_spike_warnings` makes building a
`nengo.Simulator` (or a ``nengo_dl.Simulator``) warn, with a
`~.build_hook.LostSpikesWarning`, about every ensemble that loses more than a
threshold.

The measurement itself (the definition of ``spike_loss``, its resolution and
the sampling that bounds its cost) is in :mod:`nengo_tuning.spike_audit.spike_loss`.
"""

from nengo_tuning.spike_audit.build_hook import LostSpikesWarning, lost_spike_warnings
from nengo_tuning.spike_audit.model_audit import EnsembleAudit, audit, audit_many

__all__ = [
    "EnsembleAudit",
    "LostSpikesWarning",
    "audit",
    "audit_many",
    "lost_spike_warnings",
]
