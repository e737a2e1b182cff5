"""The reference page of the ``nengo-tuning`` command, generated from the study table.

``docs/cli.rst`` is :func:`render_reference`'s output; a test checks that it is
up to date. After changing a study, an option or a limit, regenerate it::

    python -m nengo_tuning.workbench.cli_reference docs/cli.rst
"""

import re
import sys

from nengo_tuning.workbench import expressions, neuron_specs, report_folder
from nengo_tuning.workbench.command import COMMON_OPTIONS, DEFAULT_OUTPUT
from nengo_tuning.workbench.study_table import STUDIES

__all__ = ["render_reference"]

_HEADER = """\
.. This page is generated from nengo_tuning/workbench/study_table.py by
   "python -m nengo_tuning.workbench.cli_reference docs/cli.rst"; edit those
   declarations, not this file (a test checks that the two agree).

The ``nengo-tuning`` command
============================

``nengo-tuning`` (or ``python -m nengo_tuning``) runs the workbench's studies and
writes a report folder: PNG figures and ``summary.md`` with the tables, which it
also prints.

With no command it runs every study with its defaults and writes
``{output}/``; on a two-core machine this takes about twelve seconds.

.. code-block:: bash

   nengo-tuning                       # the default report
   nengo-tuning --output my-report --seed 3
   nengo-tuning spikes --neuron-type nengo.LIF "nengo.LIF(tau_ref=0)" --dt 0.001 0.005
   nengo-tuning decode --function "sin(pi*x)" x**2 --n-neurons 10 100 1000
   nengo-tuning adaptation --dt 0.001 0.005 --current 5 --tau-n 0.05
   nengo-tuning smooth --sigma 0.01 0.1
   nengo-tuning <command> --help      # a command's options and limits

Neuron types are named as in Python: ``nengo.LIF``, ``nengo.LIFRate``,
``nengo_tuning.ExactLIF``, ``nengo_tuning.SoftLIFRate``, a bare class name, or with
literal keyword arguments, ``"nengo.LIF(tau_ref=0.001)"``; a class from another
module needs ``--neuron-module`` (see `Input limits`_). Functions are
expressions in ``x`` (:mod:`nengo_tuning.workbench.expressions`): numbers,
arithmetic, comparisons, ``x[i]`` and {functions}. ``--seed`` fixes every random
choice, so the same command gives the same tables. Progress bars appear on a
terminal (``--progress`` / ``--no-progress`` to choose).
"""


def _table(rows, header):
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    return "\n".join(lines) + "\n"


def _option_rows(options):
    return [
        [
            f"``{option.flag}``",
            option.help,
            option.limits_text(),
            f"``{option.default_text()}``",
        ]
        for option in options
    ]


def _commands():
    parts = ["Commands\n--------\n"]
    header = ["option", "meaning", "allowed values", "default"]
    for study in STUDIES:
        analysis = f"{study.analysis.__module__}.{study.analysis.__qualname__}"
        files = ", ".join(f"``{name}``" for name in study.figures)
        parts.append(
            f"``{study.name}``\n{'~' * (len(study.name) + 4)}\n\n"
            f"{study.help[0].upper()}{study.help[1:]}. Runs :func:`{analysis}`; "
            f"writes {files}.\n"
        )
        parts.append(_table(_option_rows(study.options), header))
    parts.append(
        "``report``\n~~~~~~~~~~\n\nEvery study above with its defaults (what no "
        "command runs).\n"
    )
    parts.append(
        "Options of every command\n~~~~~~~~~~~~~~~~~~~~~~~~\n\n"
        "``--progress`` / ``--no-progress`` show or hide progress bars (default: "
        "only on a terminal); ``-q`` / ``--quiet`` prints nothing (the report is "
        "still written).\n"
    )
    parts.append(_table(_option_rows(COMMON_OPTIONS), header))
    return "\n".join(parts)


def _literal_options(text):
    """``--option`` as literal text (else reStructuredText shows an en dash)."""
    return re.sub(r"(?<![`\w])(--[a-z][a-z-]*)", r"``\1``", text)


def _limits():
    study_limits = "\n".join(
        f"* ``{study.name}``: {_literal_options(limit)}."
        for study in STUDIES
        for limit in study.limits
    )
    return f"""\
.. _cli-input-limits:

Input limits
------------

Every argument is checked before any study runs, against the bounds in the
tables above (numbers must also be finite: ``nan`` and ``inf`` are refused), so
that one study fits in memory and finishes in minutes on a laptop. Limits that
involve several options:

{study_limits}

Estimates: the time and memory bounds count everything that sets the work: the
sizes, the number of functions and, for each, its outputs (a vector function of
499 outputs keeps 499 traces) and its operations (a long expression costs more
at each point), the time steps and the neuron types. They are estimates for one
laptop core, meant to refuse runs of hours or tens of gigabytes before they
start.

Neuron types: at most {neuron_specs.MAX_SPEC_LENGTH} characters; keyword values
must be finite Python literals; ``nengo.Direct`` is refused (it has no rate
curve); a rate the type cannot reach (``--rates`` at or above ``1 / tau_ref``, or
so low that its current rounds to the threshold) is refused before running. A
name may import only the packages that define neuron types
({", ".join(f"``{p}``" for p in neuron_specs.NEURON_TYPE_PACKAGES)}) and
the modules named with ``--neuron-module``; nothing else is imported (not the
standard library, not the current folder: one of those packages is imported
only where it is installed, never from a file or folder of that name in the
current folder, which ``python -m`` puts on the path), and what the name gives
must be a ``nengo.neurons.NeuronType``; a keyword may be given once. Each type
is probed before running (rates, decoders and, for spiking types, a few
steps): one that nengo accepts but the workbench cannot run (the abstract
``NeuronType``, an amplitude that overflows the decoders) is refused in one
line.

Functions: at most {expressions.MAX_LENGTH} characters, {expressions.MAX_DEPTH}
operations nested (``-x`` is one, ``-(-x)`` two), numbers at most
{expressions.MAX_LITERAL:g} and exponents at most {expressions.MAX_EXPONENT} in
magnitude (an exponent that depends on ``x`` is checked where it is evaluated);
no strings, complex numbers, attributes or lists used as operands; these are
refused before anything is evaluated. The function must then be a finite real
number (or vector), at most {expressions.MAX_VALUE:g} in magnitude, at every
``x`` in ``[-1, 1]`` (``1/x`` and ``sqrt(x)`` are refused) and at every point the
study will evaluate it at: the points its decoders are solved on, its test
points, and the input at every time step; ``x`` is one-dimensional here, so
``x[1]`` is out of range.

The report folder (``--output``) must be new, empty, or an earlier report: a
folder holding exactly the files a report wrote, unchanged, as listed in its
manifest (``{report_folder.MANIFEST_NAME}``, with their sizes and SHA-256
digests). Anything else is refused, naming the first files that are not the
report's, and nothing is touched; so are a file, a folder below a file, a folder
that cannot be written, a symbolic link (name the folder itself), the current
folder or one that holds it, and a name longer than the file system allows. The
report is written to a temporary folder beside it (``.nt-PID-HEX``) and moved
into place only when complete, with Ctrl-C and SIGTERM held off during the
move: a run that fails or is interrupted leaves the earlier report as it was,
and never mixes two runs. A run killed outright (SIGKILL, power loss) leaves
its temporary folder; the next run in the same folder removes it once that
process is gone, and first puts back an earlier report it had moved aside. An
existing mount point (a Docker volume) is written into: its files are replaced
at the end (held off from signals, but not atomic against SIGKILL). A full disk
is one line naming ``--output``, and the earlier report stays.

Exit status: 0 on success; 2 for a bad argument, with one line on stderr naming
it (also when nengo refuses the model the arguments describe, e.g. a neuron type
whose refractory period is too long for nengo's default max rates, and when a
function fails while the study runs); 1 when a module named with
``--neuron-module`` raises while it is imported, after its traceback and a line
saying that the exception came from that module (the report folder is not
touched); 130 on Ctrl-C and 143 on SIGTERM, each with one line saying whether
the report was written. Warnings raised while the arguments are checked or a
study runs are shown after it, and not at all when the run is refused. Closed
or full standard streams, a pipe closed early (``| head``), an unknown
``MPLBACKEND`` and a terminal that cannot show the folder's name do not stop
the report. Any other error is a bug: it shows its traceback.
"""


def render_reference():
    """The reStructuredText of the command's reference page.

    Returns
    -------
    text : str
    """
    functions = ", ".join(f"``{name}``" for name in expressions.FUNCTIONS)
    header = _HEADER.format(output=DEFAULT_OUTPUT, functions=functions)
    return f"{header}\n{_commands()}\n{_limits()}"


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 2:
        sys.exit(f"usage: python -m {__spec__.name} PATH (e.g. docs/cli.rst)")
    with open(sys.argv[1], "w", encoding="utf-8") as file:
        file.write(render_reference())
