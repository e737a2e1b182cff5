"""The reference page of the ``nengo-tuning`` command, generated from the study table.

``docs/cli.rst`` is :func:`render_reference`'s output; a test checks that it is
up to date. After changing a study, an option or a limit, regenerate it::

    python -m nengo_tuning.workbench.cli_reference docs/cli.rst
"""

import sys

from nengo_tuning.workbench import expressions, neuron_specs
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
``{output}/``; on a two-core machine this takes about ten seconds.

.. code-block:: bash

   nengo-tuning                       # the default report
   nengo-tuning --output my-report --seed 3
   nengo-tuning spikes --neuron-type nengo.LIF "nengo.LIF(tau_ref=0)" --dt 0.001 0.005
   nengo-tuning decode --function "sin(pi*x)" x**2 --n-neurons 10 100 1000
   nengo-tuning smooth --sigma 0.01 0.1
   nengo-tuning <command> --help      # a command's options and limits

Neuron types are named as in Python: ``nengo.LIF``, ``nengo.LIFRate``,
``nengo_tuning.ExactLIF``, ``nengo_tuning.SoftLIFRate``, a bare class name, or with
literal keyword arguments, ``"nengo.LIF(tau_ref=0.001)"``. Functions are
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


def _limits():
    study_limits = "\n".join(
        f"* ``{study.name}``: {limit}." for study in STUDIES for limit in study.limits
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

Neuron types: at most {neuron_specs.MAX_SPEC_LENGTH} characters; keyword values
must be finite Python literals; ``nengo.Direct`` is refused (it has no rate
curve); a rate the type cannot reach (``--rates`` at or above ``1 / tau_ref``) is
refused before running.

Functions: at most {expressions.MAX_LENGTH} characters, nested at most
{expressions.MAX_DEPTH} deep, numbers at most {expressions.MAX_LITERAL:g} and
constant exponents at most {expressions.MAX_EXPONENT} in magnitude; no strings,
complex numbers, attributes or lists used as operands; these are refused before
anything is evaluated. The function must then be a finite real number (or vector)
at every ``x`` in ``[-1, 1]`` (``1/x`` and ``sqrt(x)`` are refused); ``x`` is
one-dimensional here, so ``x[1]`` is out of range.

The report folder (``--output``) must be new, empty, or an earlier report (a
folder holding only ``summary.md`` and figures); a file, a folder below a file,
a folder that cannot be written and a folder holding other files are refused.
The report is written to a temporary folder beside it and moved into place only
when complete: a run that fails or is interrupted leaves the earlier report as
it was, and never mixes two runs.

Exit status: 0 on success; 2 for a bad argument, with one line on stderr naming
it (also when nengo refuses the model the arguments describe, e.g. a neuron type
whose refractory period is too long for nengo's default max rates); 130 on
Ctrl-C, with one line. Any other error is a bug: it shows its traceback.
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
