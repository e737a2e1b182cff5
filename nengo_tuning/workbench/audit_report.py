"""The audit's tables, figure and JSON file (``nengo-tuning audit``).

JSON structure (``--json OUT``): for one ``dt`` an object
``{"dt": dt, "ensembles": [ensemble, ...]}``; for several, a list of such
objects in the order given. Each ``ensemble`` holds every field of
`~.model_audit.EnsembleAudit` (``label``, ``path``, ``neuron_type``,
``n_neurons``, ``dt``, ``status``, ``max_rate``, ``median_rate``,
``spike_loss``, ``decode_error``, ``resolution``, ``exact_type``,
``largest_dt``, ``recommendation``, ``reason``, ``sampled_pairs``,
``total_pairs``, ``element_steps``) and ``name`` (the label, or the path of an
unlabelled ensemble). Values not measured are ``null``; rates in Hz, losses and
errors as fractions, dt in seconds.
"""

import json
import math
import os
from pathlib import Path

from nengo_tuning.workbench.options import UsageError

__all__ = [
    "FIGURE",
    "audit_json",
    "check_json_target",
    "plot_losses",
    "table_rows",
    "write_json",
]

#: The report's figure.
FIGURE = "audit_loss.png"
TABLE_HEADERS = (
    "ensemble",
    "neuron type",
    "neurons",
    "max rate (Hz)",
    "median rate (Hz)",
    "spike loss",
    "decoded error",
    "recommendation",
)


def _percent(value, digits=1):
    if value is None:
        return "-"
    text = f"{100 * value:.{digits}f}"
    # a loss that rounds to zero is shown as 0, whatever its sign
    return f"{0:.{digits}f} %" if float(text) == 0 else f"{text} %"


def _hz(value):
    return "-" if value is None else f"{value:.0f}"


def table_rows(records):
    """One table row per `EnsembleAudit` (the status where nothing was measured)."""
    rows = []
    for record in records:
        if record.spike_loss is None:
            loss = record.status
            advice = record.reason or record.recommendation
        else:
            loss = f"{_percent(record.spike_loss)} (+-{_percent(record.resolution)})"
            advice = record.recommendation
        rows.append(
            (
                record.name,
                record.neuron_type,
                record.n_neurons,
                _hz(record.max_rate),
                _hz(record.median_rate),
                loss,
                _percent(record.decode_error, 2),
                advice,
            )
        )
    return rows


def audit_json(audits, dts):
    """The documented JSON value of ``audits`` (one list of records per dt)."""
    objects = [
        {"dt": dt, "ensembles": [record.as_dict() for record in records]}
        for dt, records in zip(dts, audits)
    ]
    return objects[0] if len(objects) == 1 else objects


def _is_audit_json(path):
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    values = value if isinstance(value, list) else [value]
    return all(isinstance(v, dict) and set(v) == {"dt", "ensembles"} for v in values)


def check_json_target(text):
    """Refuse a ``--json`` path that cannot be written or holds something else."""
    path = Path(os.path.abspath(text))
    if path.is_dir():
        raise UsageError(f"argument --json: {path} is a folder")
    if not path.parent.is_dir():
        raise UsageError(f"argument --json: {path.parent} is not a folder")
    if path.exists() and not _is_audit_json(path):
        raise UsageError(
            f"argument --json: {path} exists and is not an earlier audit "
            "(not replaced)"
        )
    return path


def _finite(value):
    """JSON has no NaN or infinity: such values (there should be none) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def write_json(path, value):
    """Write ``value`` to ``path`` (through a temporary file beside it)."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        partial.write_text(
            json.dumps(_finite(value), indent=2, allow_nan=False) + "\n",
            encoding="utf-8",
        )
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UsageError(
            f"argument --json: cannot write {path}: {error.strerror}"
        ) from None


def plot_losses(audits, dts):
    """Spike loss (%) of each measured ensemble against dt; returns the figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    names = [record.name for record in audits[0]]
    for index, name in enumerate(names):
        losses = [records[index].spike_loss for records in audits]
        if all(loss is None for loss in losses):
            continue
        points = [(dt, 100 * v) for dt, v in zip(dts, losses) if v is not None]
        ax.plot(*zip(*points), marker="o", label=name)
    ax.axhline(1.0, color="0.5", linestyle="--", linewidth=1, label="1 %")
    ax.set_xscale("log")
    ax.set_xticks(dts, [f"{1000 * dt:g}" for dt in dts])
    ax.minorticks_off()
    ax.set_xlabel("dt [ms]")
    ax.set_ylabel("spike loss [%]")
    ax.set_title("Spikes lost per ensemble (rate curve's spikes not emitted)")
    labels = ax.get_legend_handles_labels()[1]
    if len(labels) <= 12:
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
