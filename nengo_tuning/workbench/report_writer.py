"""The report: Markdown tables, and a folder written completely or not at all.

`ReportFolder` writes into a temporary folder beside the target and moves it into
place only when the report is complete, so an interrupted or failed run leaves
the previous report as it was and nothing half-written. `Report` collects the
sections (text, tables, figures), prints them as they come and writes
``summary.md``.
"""

import os
import secrets
import shutil
import sys
from pathlib import Path

from nengo_tuning.workbench.options import UsageError

__all__ = ["REPORT_TITLE", "Report", "ReportFolder", "markdown_table"]

#: First line of ``summary.md``; a folder whose summary starts with it is a report.
REPORT_TITLE = "# nengo-tuning report"
#: Files a report folder may hold (anything else means the folder is not a report).
_REPORT_SUFFIXES = (".png", ".md")


def markdown_table(headers, rows):
    """Format a Markdown table (also readable as plain text).

    Parameters
    ----------
    headers : sequence of str
        Column titles.
    rows : sequence of sequence
        Cell values (formatted with ``str``).

    Returns
    -------
    table : str
        The table, one line per row.
    """
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [
        max(len(str(header)), *(len(row[i]) for row in cells))
        for i, header in enumerate(headers)
    ]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in cells:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |")
    return "\n".join(lines)


def _is_report(folder):
    """Whether ``folder`` holds only an earlier report (or nothing)."""
    entries = list(folder.iterdir())
    if not entries:
        return True
    summary = folder / "summary.md"
    plain_files = all(
        entry.is_file() and not entry.is_symlink() and entry.suffix in _REPORT_SUFFIXES
        for entry in entries
    )
    if not (plain_files and summary.is_file()):
        return False
    with open(summary, encoding="utf-8", errors="replace") as file:
        return file.readline().rstrip("\n") == REPORT_TITLE


class ReportFolder:
    """The report's folder, replaced only when the new report is complete.

    Use as a context manager: ``path`` is the temporary folder to write into;
    `commit` moves it into place (replacing an earlier report); leaving the block
    without committing (an error, Ctrl-C) removes it.

    Parameters
    ----------
    target : str or Path
        The report folder. It may be new, empty or an earlier report; anything
        else there is refused with a `.UsageError` naming ``--output``.
    """

    def __init__(self, target):
        # lexically normalised ("a/../b" is "b"), symbolic links left as they are
        self.target = Path(os.path.abspath(target))
        self.path = None

    def _refuse(self, problem):
        raise UsageError(f"argument --output: {problem}")

    def _check_target(self):
        for parent in self.target.parents:
            if parent.exists() and not parent.is_dir():
                self._refuse(f"{self.target} is below {parent}, which is not a folder")
        if self.target.exists() or self.target.is_symlink():
            if not self.target.is_dir() or self.target.is_symlink():
                self._refuse(f"{self.target} exists and is not a folder")
            if not _is_report(self.target):
                self._refuse(
                    f"{self.target} holds files that are not a nengo-tuning report; "
                    "name a new or empty folder, or an earlier report (replaced)"
                )

    def __enter__(self):
        self._check_target()
        parent = self.target.parent
        name = f".{self.target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            parent.mkdir(parents=True, exist_ok=True)
            (parent / name).mkdir()
        except OSError as error:
            reason = error.strerror or str(error)
            self._refuse(f"cannot write in {parent}: {reason}")
        self.path = parent / name
        return self

    def commit(self):
        """Move the complete report into place, replacing an earlier one."""
        previous = None
        try:
            if self.target.exists():
                previous = self.path.with_name(self.path.name + "-previous")
                os.rename(self.target, previous)
            os.rename(self.path, self.target)
        except OSError as error:
            if previous is not None and not self.target.exists():
                os.rename(previous, self.target)  # put the earlier report back
            self._refuse(f"cannot replace {self.target}: {error.strerror or error}")
        self.path = None
        if previous is not None:
            shutil.rmtree(previous)
        return self.target

    def __exit__(self, *exc_info):
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None
        return False


class Report:
    """Collects sections (text, tables, figures) and writes ``summary.md``.

    Parameters
    ----------
    folder : Path
        Where the figures and ``summary.md`` are written.
    quiet : bool
        Do not print the sections.
    """

    def __init__(self, folder, quiet=False):
        self.folder = Path(folder)
        self.quiet = quiet
        self.sections = []
        self.figures = []

    def section(self, title, text=""):
        self.sections.append(f"## {title}\n\n{text}".rstrip() + "\n")
        self.echo(f"\n== {title} ==\n{text}".rstrip())

    def table(self, title, headers, rows):
        table = markdown_table(headers, rows)
        self.sections.append(f"**{title}**\n\n{table}\n")
        self.echo(f"\n{title}\n{table}")

    def figure(self, fig, name, caption):
        import matplotlib.pyplot as plt

        fig.savefig(self.folder / name, dpi=100)
        plt.close(fig)
        self.figures.append(name)
        self.sections.append(f"![{caption}]({name})\n\n*{name}*: {caption}\n")

    def write(self, header):
        path = self.folder / "summary.md"
        path.write_text(header + "\n" + "\n".join(self.sections), encoding="utf-8")
        return path

    def echo(self, text):
        """Print ``text`` unless quiet (a closed pipe makes the report quiet)."""
        if self.quiet:
            return
        try:
            print(text, flush=True)
        except BrokenPipeError:
            # the reader went away (e.g. `| head`): finish the report silently
            self.quiet = True
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the process)
