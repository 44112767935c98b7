"""``python -m cs231n_utils.zoo``: see :mod:`cs231n_utils.zoo.cli`."""

import sys

from .cli import main

sys.exit(main())
