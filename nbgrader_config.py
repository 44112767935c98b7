"""nbgrader settings for this course; only what differs from nbgrader's defaults.

Run nbgrader from the repository root: `solutions/` holds the source notebooks (with
solutions and hidden tests), `assignments/` the released student versions.
"""

c = get_config()  # noqa: F821 (nbgrader injects get_config)

c.CourseDirectory.course_id = "cnn-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"

# What a student sees in place of the solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# A cell may import torch and run a gradient check: nbgrader's 30 s default is tight on a
# loaded 2-core grading machine.
# Grading pytorch/02_cifar10_design on a GPU trains for 10 epochs inside one cell: raise it
# there (e.g. 900); on a CPU that notebook runs a short reduced check.
c.Execute.timeout = 120

# The hardened autograder (cs231n_utils/grading): every kernel runs in a bubblewrap
# sandbox with rlimits as `nobody`, answer cells run as their definitions only, test
# cells are guarded, and the feedback pages hide the hidden tests.
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades)
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from cs231n_utils.grading.execute import SandboxedExecute  # noqa: E402

c.Autograde.autograde_preprocessors = [
    SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402
from cs231n_utils.grading.feedback import HideHiddenTests  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, HideHiddenTests]
# The same pages as nbconvert's HTMLExporter, without re-parsing each one (a third of the time).
c.GenerateFeedback.exporter_class = "cs231n_utils.grading.feedback_html.FeedbackHTMLExporter"

# `python -m cs231n_utils.grading` hands a flat folder of LMS downloads to
# `nbgrader zip_collect`: files named <student>_<notebook>.ipynb (student ids without "_").
# Change this to match your learning-management system's file names.
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[A-Za-z0-9.@-]+)_(?P<file_id>[^/]+\.ipynb)$"
