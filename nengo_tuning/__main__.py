"""``python -m nengo_tuning``: the ``nengo-tuning`` command."""

import sys

from nengo_tuning.workbench.command import main

sys.exit(main())
