"""The ``nengo-tuning`` console entry point (``nengo_tuning.cli:main``).

The command lives in :mod:`nengo_tuning.workbench.command`; the studies it runs
are declared in :mod:`nengo_tuning.workbench.study_table`.
"""

import sys

from nengo_tuning.workbench.command import DEFAULT_OUTPUT, build_parser, main

__all__ = ["DEFAULT_OUTPUT", "STUDIES", "build_parser", "main"]


def __getattr__(name):
    # the study names, loaded on first use (the study table imports nengo)
    if name == "STUDIES":
        from nengo_tuning.workbench.study_table import STUDIES

        return tuple(study.name for study in STUDIES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
