"""The hardened autograder: nbgrader's own CLI, with student code run in a sandbox.

- :mod:`.sandbox` starts each kernel under bubblewrap with rlimits, as ``nobody``.
- :mod:`.definitions` reduces a solution cell to its definitions (def, class, import).
- :mod:`.kernel_guard` restores, before each test cell, the kernel state a submission
  could use to fake a pass, and reports what it had to restore.
- :mod:`.execute` is the ``Execute`` preprocessor nbgrader's ``autograde`` runs with
  (configured in ``nbgrader_config.py``).
- :mod:`.feedback` removes hidden tests from the feedback pages.
- ``python -m cs231n_utils.grading`` grades a whole class in one command.
"""
