"""The report: its sections, Markdown tables, and what it prints.

`Report` collects the sections (text, tables, figures), prints them as they come
and writes ``summary.md`` into the folder it is given (the temporary folder of a
`.ReportFolder`). Printing never stops the report: a closed pipe, a closed or
full stdout, or a terminal that cannot show a character makes it print less,
not fail. A file it cannot write (a full disk) is a `.UsageError` naming
``--output``.
"""

import os
import sys
from pathlib import Path

from nengo_tuning.workbench.options import UsageError

__all__ = ["REPORT_TITLE", "Report", "markdown_table"]

#: First line of ``summary.md``.
REPORT_TITLE = "# nengo-tuning report"


def _cell_text(value):
    """``str(value)`` as one table cell: a ``|`` escaped, line breaks as spaces
    (an ensemble's label is the user's text, and would otherwise split the
    row or the table)."""
    text = " ".join(str(value).splitlines())
    return text.replace("|", "\\|")


def markdown_table(headers, rows):
    """Format a Markdown table (also readable as plain text).

    Parameters
    ----------
    headers : sequence of str
        Column titles.
    rows : sequence of sequence
        Cell values (formatted with ``str``; a ``|`` is escaped, line breaks
        become spaces). There may be none.

    Returns
    -------
    table : str
        The table, one line per row.
    """
    headers = [_cell_text(header) for header in headers]
    cells = [[_cell_text(cell) for cell in row] for row in rows]
    widths = [
        max([len(header), *(len(row[i]) for row in cells)])
        for i, header in enumerate(headers)
    ]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in cells:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |")
    return "\n".join(lines)


class Report:
    """Collects sections (text, tables, figures) and writes ``summary.md``.

    Parameters
    ----------
    folder : Path
        Where the figures and ``summary.md`` are written.
    quiet : bool
        Do not print the sections.
    output : str or Path, optional
        The report folder as the user named it, for messages (``folder`` when
        None).
    """

    def __init__(self, folder, quiet=False, output=None):
        self.folder = Path(folder)
        self.quiet = quiet
        self.output = self.folder if output is None else output
        self.sections = []
        self.figures = []

    def section(self, title, text=""):
        self.sections.append(f"## {title}\n\n{text}".rstrip() + "\n")
        self.echo(f"\n== {title} ==\n{text}".rstrip())

    def table(self, title, headers, rows):
        table = markdown_table(headers, rows)
        self.sections.append(f"**{title}**\n\n{table}\n")
        self.echo(f"\n{title}\n{table}")

    def _cannot_write(self, name, error):
        reason = error.strerror or str(error)
        return UsageError(
            f"argument --output: cannot write {name} in {self.output}: {reason} "
            "(nothing was changed there)"
        )

    def figure(self, fig, name, caption):
        import matplotlib.pyplot as plt

        try:
            fig.savefig(self.folder / name, dpi=100)
        except OSError as error:  # e.g. the disk is full (from matplotlib or PIL)
            raise self._cannot_write(name, error) from None
        finally:
            plt.close(fig)
        self.figures.append(name)
        self.sections.append(f"![{caption}]({name})\n\n*{name}*: {caption}\n")

    def write(self, header):
        path = self.folder / "summary.md"
        text = header + "\n" + "\n".join(self.sections)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise self._cannot_write(path.name, error) from None
        return path

    def echo(self, text):
        """Print ``text`` unless quiet; a stdout that fails makes the report quiet."""
        if self.quiet or sys.stdout is None:
            return
        try:
            try:
                print(text, flush=True)
            except UnicodeEncodeError:
                encoding = getattr(sys.stdout, "encoding", None) or "ascii"
                text = text.encode(encoding, "backslashreplace").decode(encoding)
                print(text, flush=True)
        except (BrokenPipeError, OSError, ValueError):
            # the reader went away (`| head`), stdout is full (/dev/full) or
            # closed: finish the report without printing
            self.quiet = True
            silence_stdout()


def silence_stdout():
    """Send what is still buffered for stdout, and all later output, nowhere.

    Python flushes stdout at exit; a pipe that was closed or a full device would
    make that flush fail (and the exit status 120). Pointing file descriptor 1 at
    ``os.devnull`` lets it succeed.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the process)
