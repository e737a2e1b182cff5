"""The ``nengo-tuning`` console entry point (``nengo_tuning.cli:main``).

The command lives in :mod:`nengo_tuning.workbench.command`; the studies it runs
are declared in :mod:`nengo_tuning.workbench.study_table`.
"""

import sys

from nengo_tuning.workbench import study_table
from nengo_tuning.workbench.command import DEFAULT_OUTPUT, build_parser, main

__all__ = ["DEFAULT_OUTPUT", "STUDIES", "build_parser", "main"]

#: The names of the studies (the subcommands besides ``report``).
STUDIES = tuple(study.name for study in study_table.STUDIES)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
