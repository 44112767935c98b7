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
