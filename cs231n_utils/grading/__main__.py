"""``python -m cs231n_utils.grading ASSIGNMENT SUBMISSIONS``: grade a whole class."""

import sys

from .grade_class import main

sys.exit(main())
