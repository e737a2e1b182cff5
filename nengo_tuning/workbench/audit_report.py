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
from nengo_tuning.workbench.report_folder import cannot_use, name_too_long

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


def _audit_fields():
    import dataclasses

    from nengo_tuning.spike_audit.model_audit import EnsembleAudit

    return {"name", *(field.name for field in dataclasses.fields(EnsembleAudit))}


def _json_text(value):
    """The text of the JSON file of ``value``, exactly as `write_json` writes it."""
    return json.dumps(_finite(value), indent=2, allow_nan=False) + "\n"


def _is_audit_object(value, fields):
    if not (isinstance(value, dict) and list(value) == ["dt", "ensembles"]):
        return False
    dt, ensembles = value["dt"], value["ensembles"]
    return (
        isinstance(dt, float)
        and isinstance(ensembles, list)
        and len(ensembles) > 0
        and all(
            isinstance(e, dict) and set(e) == fields and e["dt"] == dt
            for e in ensembles
        )
    )


def _is_audit_json(path):
    """Whether ``path`` holds an earlier audit, exactly as this command wrote it.

    The file must parse as the documented structure (one object or a non-empty
    list of objects ``{"dt": number, "ensembles": [...]}``, each ensemble with
    exactly the fields of an `EnsembleAudit` and ``name``) and its text must be
    byte for byte what `write_json` writes for that value: a file that was
    written by hand, or an audit edited since, is not replaced.
    """
    try:
        text = path.read_bytes().decode("utf-8")
        value = json.loads(text)
    except (OSError, ValueError):
        return False
    values = value if isinstance(value, list) else [value]
    fields = _audit_fields()
    return (
        len(values) > 0
        and all(_is_audit_object(v, fields) for v in values)
        and text == _json_text(value)
    )


def _refuse(problem):
    raise UsageError(f"argument --json: {problem}")


def check_json_target(text, output=None):
    """Refuse a ``--json`` path that cannot be written or holds something else.

    Refused, before anything runs: a folder, a path below something that is not
    a folder, a symbolic link (even to an earlier audit: name the file itself),
    a file that is not an earlier audit as this command writes it, a path inside
    the report folder ``output``, a name too long, and a folder in which a file
    cannot be created (checked by creating and removing the temporary file that
    `write_json` writes through).
    """
    path = Path(os.path.abspath(text))
    problem = name_too_long(path)
    if problem:
        _refuse(problem)
    try:
        _check_json_path(path, output)
    except OSError as error:  # e.g. a path longer than the system allows
        _refuse(cannot_use(path, error))
    return path


def _check_json_path(path, output):
    if output is not None:
        folder = Path(os.path.abspath(output))
        if path == folder or folder in path.parents:
            _refuse(
                f"{path} is inside the report folder {folder} (--output), which "
                "is replaced as a whole; name a file outside it"
            )
    if path.is_symlink():
        _refuse(
            f"{path} is a symbolic link (to {os.readlink(path)}); name the file "
            "itself"
        )
    if path.is_dir():
        _refuse(f"{path} is a folder")
    if not path.parent.is_dir():
        _refuse(f"{path.parent} is not a folder")
    if path.exists():
        if not path.is_file() or not _is_audit_json(path):
            _refuse(f"{path} exists and is not an earlier audit (not replaced)")
        return
    probe = _partial_name(path)
    try:
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        _refuse(f"cannot write {path}: {error.strerror or error}")
    os.close(descriptor)
    os.unlink(probe)


def _partial_name(path):
    return path.with_name(f".{path.name}.partial-{os.getpid()}")


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
    """Write ``value`` to ``path`` (through a temporary file beside it).

    ``path`` is checked again first (`check_json_target`): what was put there
    while the audit ran is not replaced either.
    """
    check_json_target(path)
    partial = _partial_name(path)
    try:
        partial.write_text(_json_text(value), encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        _refuse(f"cannot write {path}: {error.strerror}")


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
