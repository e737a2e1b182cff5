"""``python -m nengo_tuning``: the ``nengo-tuning`` command."""

import sys

from nengo_tuning.cli import main

sys.exit(main())
