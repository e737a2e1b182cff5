"""The ``nengo-tuning`` command: the parser, the run, and what happens on errors.

The parser is generated from :data:`~nengo_tuning.workbench.study_table.STUDIES`.
With no command, every study runs with its defaults (``report``).

Error policy:

* a bad argument, or a model that nengo refuses because of the arguments, is a
  usage error: one line on stderr naming the argument, exit status 2, no
  traceback, and the report folder untouched;
* an exception raised by a module named with ``--neuron-module`` while it is
  imported (or by a model file, ``audit``): its traceback, a line saying whose
  code raised it, exit status 1, the report folder untouched;
* Ctrl-C: one line, exit status 130, the report folder untouched; SIGTERM
  (``timeout``, CI cancellation, ``docker stop``) the same with status 143;
* stdout or stderr closed, full or a closed pipe: the report is still written;
* anything else is a bug and shows its traceback.
"""

import argparse
import contextlib
import os
import re
import shlex
import sys
import textwrap
import time
import warnings

from nengo_tuning.workbench import audit_command
from nengo_tuning.workbench.held_signals import Terminated, terminate_as_exception
from nengo_tuning.workbench.options import (
    NEURON_MODULES,
    FolderPath,
    ModuleName,
    Option,
    UsageError,
    WholeNumber,
)

__all__ = ["COMMON_OPTIONS", "DEFAULT_OUTPUT", "build_parser", "main"]

#: Folder the report is written to unless ``--output`` says otherwise.
DEFAULT_OUTPUT = "nengo-tuning-report"
PROG = "nengo-tuning"

#: Options every command takes (besides ``--progress``/``--no-progress``, ``-q``).
COMMON_OPTIONS = (
    Option(
        "--output",
        FolderPath(),
        DEFAULT_OUTPUT,
        "report folder (written completely, then moved into place)",
    ),
    Option(
        "--seed",
        WholeNumber(0, 2**32 - 1),
        0,
        "seed of every random choice; the same seed gives the same report",
    ),
    Option(
        "--neuron-module",
        ModuleName(),
        (),
        "modules besides the packages that define neuron types (nengo, "
        "nengo_tuning, nengo_dl, ...) that a --neuron-type name may import, one "
        "per --neuron-module; no other module is ever imported",
        many=8,
        shown_default="none",
    ),
)
_SHORT_FLAGS = {"--output": "-o"}


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help lines wrapped between words only: never inside ``--neuron-module``.

    (argparse's formatter wraps with `textwrap`, which breaks at hyphens; this
    overrides its documented-by-use ``_split_lines`` hook.)
    """

    def _split_lines(self, text, width):
        text = " ".join(text.split())
        return textwrap.wrap(text, width, break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (and exit status 2).

    Values that start with a minus sign (``-inf``, ``-1e-3``, the function
    ``-x``) are taken as values, then accepted or refused with a message about
    their range, rather than as unknown options: argparse alone only recognises
    ``-1`` and ``-.5``. The command's only one-dash options are ``-h``, ``-o`` and
    ``-q``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-(?![-hoq])")

    #: The parsers of the commands, by name (set on the top-level parser).
    command_parsers = None

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but an unknown argument after a command is that command's
        error (pointing to its ``--help``, where its options are listed)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            parser = (self.command_parsers or {}).get(command, self)
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed


def _add_common(parser, top_level):
    """Options every command takes; subcommands do not override the top level's."""
    for option in COMMON_OPTIONS:
        flags = [_SHORT_FLAGS[option.flag]] if option.flag in _SHORT_FLAGS else []
        # an option of several values is repeated (one value each): "+" would
        # take the command's name as a value
        default = None if option.many else option.default
        parser.add_argument(
            *flags,
            option.flag,
            dest=option.dest,
            action="append" if option.many else "store",
            default=default if top_level else argparse.SUPPRESS,
            metavar=option.dest.upper(),
            help=option.help_text(),
        )
    keep = (lambda value: value) if top_level else (lambda value: argparse.SUPPRESS)
    progress = parser.add_mutually_exclusive_group()
    for flag, action, text in [
        (
            "--progress",
            "store_true",
            "show progress bars (default: only on a terminal)",
        ),
        ("--no-progress", "store_false", "never show progress bars"),
    ]:
        progress.add_argument(
            flag, dest="progress", action=action, default=keep(None), help=text
        )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=keep(False),
        help="do not print the tables (the report is still written)",
    )


def _epilog(limits):
    lines = ["limits (see 'Input limits' in docs/cli.rst, the command's page):"]
    lines += [f"  {limit}" for limit in limits]
    return "\n".join(lines)


def build_parser():
    """The argument parser of ``nengo-tuning``, generated from the study table.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    from nengo_tuning.workbench.study_table import STUDIES

    parser = _Parser(
        prog=PROG,
        description=(
            "Tuning curves, decoders and spikes-versus-rates studies for Nengo "
            "neuron types. With no command, runs every study with its defaults "
            "and writes the report (PNG figures and summary.md) to the output "
            "folder."
        ),
        epilog=(
            "examples:\n"
            "  nengo-tuning                       # the default report\n"
            "  nengo-tuning spikes --neuron-type nengo.LIF 'nengo.LIF(tau_ref=0)' "
            "--dt 0.001 0.005\n"
            "  nengo-tuning decode --function 'sin(pi*x)' --n-neurons 10 100\n"
            "  nengo-tuning <command> --help     # a command's options and limits"
        ),
        formatter_class=_HelpFormatter,
    )
    _add_common(parser, top_level=True)
    subparsers = parser.add_subparsers(
        dest="command", metavar="command", parser_class=_Parser
    )
    report_help = "every study with its defaults (what no command runs)"
    sub = subparsers.add_parser("report", help=report_help, description=report_help)
    _add_common(sub, top_level=False)
    for study in STUDIES:
        sub = subparsers.add_parser(
            study.name,
            help=study.help,
            description=study.help,
            epilog=_epilog(study.limits) if study.limits else None,
            formatter_class=_HelpFormatter,
        )
        _add_common(sub, top_level=False)
        for option in study.options:
            option.add_to(sub)
    audit_command.add_parser(subparsers, lambda sub: _add_common(sub, False))
    parser.command_parsers = dict(subparsers.choices)
    return parser


def _study_values(study, parsed, common):
    """The parsed and checked option values of one study, as a Namespace."""
    from nengo_tuning.workbench.study import check_study_values

    values = study.default_values()
    for option in study.options:
        if hasattr(parsed, option.dest):
            values[option.dest] = option.parse_all(getattr(parsed, option.dest))
    values = argparse.Namespace(**values, **common)
    check_study_values(study, values)
    return values


def _show_progress(requested):
    """Progress bars as asked, else only on a terminal (stderr may be closed)."""
    if requested is not None:
        return requested
    try:
        return bool(sys.stderr is not None and sys.stderr.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _prepare(argv):
    """Parse and check everything before anything runs or is written."""
    from nengo_tuning.workbench.study_table import STUDIES, study_named

    parser = build_parser()
    parsed = parser.parse_args(argv)
    command = parsed.command or "report"
    common = {
        "seed": COMMON_OPTIONS[1].parse(parsed.seed),
        "progress": _show_progress(parsed.progress),
    }
    output = COMMON_OPTIONS[0].parse(parsed.output)
    modules = COMMON_OPTIONS[2].parse_all(list(parsed.neuron_module or ()))
    studies = STUDIES if command == "report" else (study_named(command),)
    token = NEURON_MODULES.set(tuple(modules))
    try:
        runs = [(study, _study_values(study, parsed, common)) for study in studies]
    finally:
        NEURON_MODULES.reset(token)
    return parsed, output, runs


def _show_warnings(held):
    for message in held:
        warnings.showwarning(
            message.message,
            message.category,
            message.filename,
            message.lineno,
            line=message.line,
        )


@contextlib.contextmanager
def _warnings_shown_unless_refused():
    """Hold the warnings back; show them after the block, unless the arguments
    were refused (a `.UsageError`: its one line is then all that is printed).

    The warnings filters are left as they are (``-W error`` still raises, an
    ignored warning stays ignored).
    """
    held = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            try:
                yield
            finally:
                held = list(caught)
    except UsageError:
        raise
    except BaseException:
        _show_warnings(held)
        raise
    _show_warnings(held)


def _use_agg():
    """Draw with Agg, whatever ``MPLBACKEND`` says (the figures go to files).

    matplotlib validates ``MPLBACKEND`` when it is first imported, and refuses a
    name it does not know, so the variable is set to Agg for that import.
    """
    if "matplotlib" not in sys.modules:
        saved = os.environ.get("MPLBACKEND")
        os.environ["MPLBACKEND"] = "Agg"
        try:
            import matplotlib
        finally:
            if saved is None:
                del os.environ["MPLBACKEND"]
            else:
                os.environ["MPLBACKEND"] = saved
    import matplotlib

    matplotlib.use("Agg")


def _run_studies(report, runs):
    """Run each study into ``report``; what nengo or a function refuses is usage."""
    from nengo.exceptions import BuildError, ValidationError

    from nengo_tuning.workbench.expressions import ExpressionError

    for study, values in runs:
        with _warnings_shown_unless_refused():
            try:
                study.write(report, values)
            except ExpressionError as error:
                raise UsageError(f"argument --function: {error}") from None
            except (BuildError, ValidationError) as error:
                # nengo refused the model these arguments describe (e.g. rates a
                # neuron type cannot reach): a usage error, not a bug
                message = f"{study.name}: nengo refused the model: {error}"
                raise UsageError(message) from None


def _summary_header(argv, runs, report, elapsed):
    from nengo_tuning.version import version
    from nengo_tuning.workbench.report_writer import REPORT_TITLE

    arguments = sys.argv[1:] if argv is None else list(argv)
    command_line = shlex.join([PROG, *arguments])
    seed = runs[0][1].seed
    return (
        f"{REPORT_TITLE}\n\n"
        f"Command: `{command_line}`; seed {seed}; nengo_tuning {version}; "
        f"{elapsed:.1f} s.\n\nFigures: {', '.join(report.figures)}.\n"
    )


def _run(argv, outcome):
    from nengo_tuning.workbench.report_folder import ReportFolder
    from nengo_tuning.workbench.report_writer import Report

    parsed = build_parser().parse_args(argv)
    if parsed.command == audit_command.NAME:  # not a study: it takes a FILE
        arguments = sys.argv[1:] if argv is None else list(argv)
        settings = {
            "output": COMMON_OPTIONS[0].parse(parsed.output),
            "seed": COMMON_OPTIONS[1].parse(parsed.seed),
            "progress": _show_progress(parsed.progress),
            "command_line": shlex.join([PROG, *arguments]),
        }
        _use_agg()
        with _warnings_shown_unless_refused():
            return audit_command.run(parsed, settings, outcome)
    with _warnings_shown_unless_refused():
        parsed, output, runs = _prepare(argv)
    _use_agg()
    start = time.perf_counter()
    with ReportFolder(output) as folder:
        outcome["folder"] = folder
        report = Report(folder.path, quiet=parsed.quiet, output=output)
        _run_studies(report, runs)
        elapsed = time.perf_counter() - start
        report.write(_summary_header(argv, runs, report, elapsed))
        path = folder.commit() / "summary.md"
    n_figures = len(report.figures)
    figures = f"{n_figures} figure{'s' * (n_figures != 1)}"
    report.echo(f"\nReport written to {path} ({figures}, {elapsed:.1f} s)")
    return 0


def _say(line):
    """One line on stderr, if there is a stderr to write to."""
    try:
        if sys.stderr is not None:
            print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _interrupted(what, outcome):
    folder = outcome.get("folder")
    if folder is not None and folder.committed:
        _say(f"{PROG}: {what} after the report was written to {folder.target}")
    else:
        _say(f"{PROG}: {what}; no report written")


def main(argv=None):
    """Run ``nengo-tuning`` (see ``nengo-tuning --help``).

    Parameters
    ----------
    argv : list of str, optional
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success; 1 when a module named with ``--neuron-module`` (or the
        model file of ``audit``) raised while it ran, after its traceback; 130
        when interrupted (Ctrl-C) and 143 when terminated
        (SIGTERM), each with one line on stderr.

    Raises
    ------
    SystemExit
        With status 2 for a usage error (one line on stderr naming the argument),
        as argparse does, and with 0 after ``--help``. Any other error is a bug
        and propagates with its traceback.
    """
    from nengo_tuning.workbench.neuron_specs import NeuronModuleError

    outcome = {}
    try:
        with terminate_as_exception():
            return _run(argv, outcome)
    except NeuronModuleError as error:
        where = f" ({error.filename})" if error.filename else ""
        audit_command.show_user_traceback(
            error.error,
            error.filename,
            f"the code of module {error.module_name!r}{where}, named by "
            "--neuron-module",
        )
        return 1
    except UsageError as error:
        _say(f"{PROG}: error: {error}")
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        _interrupted("interrupted", outcome)
        return 130
    except Terminated:
        _interrupted("terminated", outcome)
        return 143
