"""Inside a grading kernel: undo what student code changed that tests rely on.

The autograder (:mod:`cs231n_utils.grading.execute`) calls :func:`install` once, before
the notebook's first cell, and :func:`restore` before and after every graded test cell.
``install`` records the state a submission could change to make a failing test pass:

- IPython: input and AST transformers, event callbacks (``post_run_cell``, ...), custom
  exception handlers, and methods patched on the shell or kernel (``run_cell``,
  ``showtraceback``, the kernel's message handlers, ``Session.send``, ...);
- ``sys``: the except/display hooks, stdout/stderr, the import machinery
  (``meta_path``, ``path_hooks``) and the trace/profile functions;
- the notebook's own names: what each instructor cell binds (``rel_error``, the test
  data, ...), recorded by :func:`remember` after that cell ran, so that a submission
  rebinding them (a ``def rel_error`` in an answer cell) is found;
- ``builtins`` and the modules tests check with (numpy, math, torch, the course package):
  every attribute, the code and defaults of their Python functions, and the attributes of
  their Python classes (``torch.Tensor``, ...). Modules imported later are recorded when
  their import finishes, before the code that imported them runs on.

``restore`` puts every recorded thing back and returns a description of each difference
it found; the autograder fails a test cell when there was any (honest code changes none
of them). Code running in the same process can always, with enough effort, reach this
module too: it raises the bar and makes tampering visible, while the sandbox
(:mod:`cs231n_utils.grading.sandbox`) bounds what a submission can do to its own grade.
"""

from __future__ import annotations

import gc
import importlib.abc
import json
import os
import sys
import threading
import types
import warnings

__all__ = ["install", "remember", "restore", "next_notebook"]

PROTECTED = ("builtins", "math", "numpy", "numpy.testing", "numpy.linalg", "numpy.random",
             "numpy.lib.stride_tricks", "torch", "torch.nn", "torch.nn.functional",
             "torch.testing", "torch.autograd", "cs231n_utils")
PROTECTED_PREFIXES = ("cs231n_utils.", "numpy.testing.")
# IPython event callbacks that matplotlib registers itself when pyplot is first imported:
# recorded (by identity) when these modules' imports end, and accepted then.
LIBRARY_CALLBACKS = {
    "matplotlib.pyplot": ("_draw_all_if_interactive",),
    "matplotlib_inline.backend_inline": ("flush_figures", "_enable_matplotlib_integration"),
}
# Attributes that honest code changes through the library's own API.
VOLATILE = {
    # torch.set_default_dtype() swaps Storage; importing torch._dynamo (lazily, e.g. on a
    # first optimizer step) wraps manual_seed.
    "torch": {"Storage", "manual_seed"},
    "builtins": {"_"},  # the last result, set by display hooks
}
SYS_HOOKS = ("excepthook", "displayhook", "breakpointhook", "unraisablehook", "stdout", "stderr", "stdin")
SHELL_ATTRIBUTES = ("input_transformer_manager", "compile", "displayhook", "display_pub", "display_trap",
                    "builtin_trap", "events", "user_ns", "user_global_ns", "kernel", "InteractiveTB",
                    "SyntaxTB", "CustomTB", "custom_exceptions", "ast_transformers",
                    "input_transformers_cleanup", "input_transformers_post")
TRANSFORMER_LISTS = ("cleanup_transforms", "line_transforms", "token_transformers")

_state: dict = {}


def _is_protected(name: str) -> bool:
    return name in PROTECTED or name.startswith(PROTECTED_PREFIXES)


# -- snapshots -------------------------------------------------------------------------

def _function_parts(obj):
    return (obj.__code__, obj.__defaults__, obj.__kwdefaults__) if isinstance(obj, types.FunctionType) else None


def _snapshot_class(cls: type) -> dict:
    return dict(cls.__dict__)


def _snapshot_module(module: types.ModuleType) -> dict:
    volatile = VOLATILE.get(module.__name__, set())
    attributes = {k: v for k, v in vars(module).items() if k not in volatile}
    functions = {k: _function_parts(v) for k, v in attributes.items() if isinstance(v, types.FunctionType)}
    classes = {k: (v, _snapshot_class(v)) for k, v in attributes.items()
               if isinstance(v, type) and getattr(v, "__module__", "").startswith(module.__name__.split(".")[0])}
    return {"module": module, "attributes": attributes, "functions": functions, "classes": classes}


def _restore_class(cls: type, recorded: dict, where: str, found: list[str]) -> None:
    current = dict(cls.__dict__)
    for key, value in recorded.items():
        if current.get(key, _MISSING) is not value:
            found.append(f"{where}.{key} was replaced")
            try:
                setattr(cls, key, value)
            except (AttributeError, TypeError):
                pass
    for key in current.keys() - recorded.keys():
        if callable(current[key]) or key.startswith("__"):
            found.append(f"{where}.{key} was added")
            try:
                delattr(cls, key)
            except (AttributeError, TypeError):
                pass


_MISSING = object()


def _restore_module(name: str, record: dict, found: list[str]) -> None:
    module = record["module"]
    if sys.modules.get(name, module) is not module:
        found.append(f"sys.modules[{name!r}] was replaced")
        sys.modules[name] = module
    namespace = vars(module)
    for key, value in record["attributes"].items():
        if namespace.get(key, _MISSING) is not value:
            found.append(f"{name}.{key} was {'deleted' if key not in namespace else 'replaced'}")
            namespace[key] = value
    for key in namespace.keys() - record["attributes"].keys() - VOLATILE.get(name, set()):
        value = namespace[key]
        if isinstance(value, types.ModuleType):
            record["attributes"][key] = value  # a submodule imported since: normal
        else:
            found.append(f"{name}.{key} was added")
            del namespace[key]
    for key, parts in record["functions"].items():
        function = record["attributes"][key]
        if _function_parts(function) != parts:
            found.append(f"{name}.{key}'s code or defaults were changed")
            function.__code__, function.__defaults__, function.__kwdefaults__ = parts
    for key, (cls, recorded) in record["classes"].items():
        _restore_class(cls, recorded, f"{name}.{key}", found)


def _record(module: types.ModuleType) -> None:
    name = module.__name__
    if _is_protected(name):
        _state["modules"].setdefault(name, _snapshot_module(module))
    if name in FRESH_SETTINGS:
        _state["settings"].setdefault(name, FRESH_SETTINGS[name][0](module))
    if name in LIBRARY_CALLBACKS:
        _state["callbacks"].setdefault(name, (module, {a: getattr(module, a, None) for a in LIBRARY_CALLBACKS[name]}))


class _RecordOnImport(importlib.abc.MetaPathFinder):
    """Records a protected module the moment its import finishes."""

    def find_spec(self, fullname, path, target=None):
        recorded = fullname in _state.get("modules", {}) or fullname in _state.get("callbacks", {})
        if recorded or not (_is_protected(fullname) or fullname in LIBRARY_CALLBACKS):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _RecordingLoader(spec.loader)
                return spec
            if spec is not None:
                return spec
        return None


class _RecordingLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _record(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def _shell_classes(shell) -> list[type]:
    classes = [*type(shell).__mro__]
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        classes += [*type(kernel).__mro__, *type(kernel.session).__mro__]
    for stream in (sys.stdout, sys.stderr):
        classes += [*type(stream).__mro__]
    return [c for c in dict.fromkeys(classes) if c is not object and c.__module__ != "builtins"]


def _record_shell(shell) -> dict:
    kernel = getattr(shell, "kernel", None)
    return {
        "shell": shell,
        "attributes": {k: getattr(shell, k) for k in SHELL_ATTRIBUTES if hasattr(shell, k)},
        "lists": {k: list(getattr(shell, k)) for k in ("ast_transformers", "input_transformers_cleanup",
                                                        "input_transformers_post") if hasattr(shell, k)},
        "manager": {k: list(getattr(shell.input_transformer_manager, k)) for k in TRANSFORMER_LISTS
                    if hasattr(shell.input_transformer_manager, k)},
        "events": {k: list(v) for k, v in shell.events.callbacks.items()},
        "instance_keys": set(vars(shell)),
        "kernel": kernel,
        "kernel_keys": set(vars(kernel)) if kernel is not None else set(),
        "handlers": {k: dict(getattr(kernel, k)) for k in ("shell_handlers", "control_handlers")
                     if kernel is not None and hasattr(kernel, k)},
        "session_keys": set(vars(kernel.session)) if kernel is not None else set(),
        "classes": {c: _snapshot_class(c) for c in _shell_classes(shell)},
    }


def _drop_shadowing(obj, recorded_keys: set, where: str, found: list[str]) -> None:
    """Delete instance attributes added since recording that hide a method of the class."""
    for key in set(vars(obj)) - recorded_keys:
        if callable(getattr(type(obj), key, None)):
            found.append(f"{where}.{key} was patched on the instance")
            del vars(obj)[key]


def _restore_shell(record: dict, found: list[str]) -> None:
    shell = record["shell"]
    for cls, recorded in record["classes"].items():
        _restore_class(cls, recorded, cls.__qualname__, found)
    _drop_shadowing(shell, record["instance_keys"], "the IPython shell", found)
    for key, value in record["attributes"].items():
        if getattr(shell, key, _MISSING) is not value:
            found.append(f"the IPython shell's {key} was replaced")
            setattr(shell, key, value)
    for key, items in record["lists"].items():
        if getattr(shell, key) != items:
            found.append(f"IPython's {key} were changed")
            getattr(shell, key)[:] = items
    manager = shell.input_transformer_manager
    for key, items in record["manager"].items():
        if getattr(manager, key) != items:
            found.append(f"IPython's input transformer manager's {key} were changed")
            getattr(manager, key)[:] = items
    callbacks = shell.events.callbacks
    for event in set(callbacks) | set(record["events"]):
        recorded = record["events"].setdefault(event, [])
        # matplotlib's inline backend registers its own callbacks when pyplot is first
        # imported: take those into the record, and only those.
        recorded += [cb for cb in callbacks.get(event, []) if cb not in recorded and _is_library_callback(cb, shell)]
        if callbacks.get(event, []) != recorded:
            found.append(f"callbacks of IPython's {event!r} event were changed")
            callbacks[event] = list(recorded)
    kernel = record["kernel"]
    if kernel is not None:
        _drop_shadowing(kernel, record["kernel_keys"], "the kernel", found)
        _drop_shadowing(kernel.session, record["session_keys"], "the kernel's session", found)
        for key, handlers in record["handlers"].items():
            if getattr(kernel, key) != handlers:
                found.append(f"the kernel's {key} were changed")
                getattr(kernel, key).clear()
                getattr(kernel, key).update(handlers)


def _is_library_callback(callback, shell) -> bool:
    """True for the callbacks matplotlib registers itself, as recorded when its modules
    were imported: pyplot's ``_draw_all_if_interactive``, matplotlib_inline's
    ``flush_figures``, and the ``configure_once`` closure its
    ``_enable_matplotlib_integration`` makes (a look-alike fails the identity checks)."""
    recorded = _state.get("callbacks", {})
    if any(callback is f for name, (_, functions) in recorded.items() for key, f in functions.items()
           if key != "_enable_matplotlib_integration"):
        return True
    module, functions = recorded.get("matplotlib_inline.backend_inline", (None, {}))
    enable = functions.get("_enable_matplotlib_integration")
    if not isinstance(callback, types.FunctionType) or not isinstance(enable, types.FunctionType):
        return False
    cells = dict(zip(callback.__code__.co_freevars, (c.cell_contents for c in callback.__closure__ or ())))
    return (callback.__code__ in enable.__code__.co_consts
            and callback.__globals__ is vars(module)
            and cells.get("ip") is shell and isinstance(cells.get("backend"), str))


def _record_sys() -> dict:
    return {
        "hooks": {k: getattr(sys, k) for k in SYS_HOOKS},
        "meta_path": list(sys.meta_path),
        "path_hooks": list(sys.path_hooks),
    }


def _restore_sys(record: dict, found: list[str]) -> None:
    for key, value in record["hooks"].items():
        if getattr(sys, key) is not value:
            found.append(f"sys.{key} was replaced")
            setattr(sys, key, value)
    for key in ("meta_path", "path_hooks"):
        if getattr(sys, key) != record[key]:
            found.append(f"sys.{key} was changed")
            getattr(sys, key)[:] = record[key]
    if sys.gettrace() is not None or sys.getprofile() is not None:
        found.append("a trace or profile function was set")
        sys.settrace(None)
        sys.setprofile(None)


# -- the two entry points --------------------------------------------------------------

def install(shell=None) -> str:
    """Record the state to protect (call before any student code runs); "[]" when done."""
    if _state:
        return json.dumps(["the guard was installed twice"])
    if shell is None:
        from IPython import get_ipython
        shell = get_ipython()
    # The modules every graded notebook checks with; the others are recorded when their
    # import ends (see _RecordOnImport).
    import numpy  # noqa: F401
    import numpy.testing  # noqa: F401
    import cs231n_utils  # noqa: F401
    _state["modules"], _state["callbacks"], _state["settings"] = {}, {}, {}
    for module in list(sys.modules.values()):
        if isinstance(module, types.ModuleType):
            _record(module)
    _state["finder"] = _RecordOnImport()
    sys.meta_path.insert(0, _state["finder"])
    _state["sys"] = _record_sys()
    _state["shell"] = _record_shell(shell)
    _state["names"] = {}
    try:
        # tqdm's monitor thread outlives every progress bar, and a thread left running
        # keeps the kernel from being reused for the next notebook: a grading kernel,
        # whose bars nobody watches, needs no monitor.
        import tqdm.std
        tqdm.std.tqdm.monitor_interval = 0
    except ImportError:
        pass
    _state["threads"] = set(threading.enumerate())
    _state["process"] = {"cwd": os.getcwd(), "path": list(sys.path), "warnings": list(warnings.filters)}
    return json.dumps([])


def remember(names: list[str]) -> str:
    """Record the values the notebook's instructor cell just bound to ``names``."""
    if not _state:
        return json.dumps(["the guard was not installed"])
    namespace = _state["shell"]["shell"].user_ns
    _state["names"].update({name: namespace[name] for name in names if name in namespace})
    return json.dumps([])


def _restore_names(found: list[str]) -> None:
    namespace = _state["shell"]["shell"].user_ns
    for name, value in _state["names"].items():
        if namespace.get(name, _MISSING) is not value:
            found.append(f"the notebook's {name!r} was rebound")
            namespace[name] = value


def restore(names: list[str] = ()) -> str:
    """Put the recorded state back; a JSON list describing what had changed.

    ``names``: first :func:`remember` these (bound by the cell that just ran)."""
    if not _state:
        return json.dumps(["the guard was not installed"])
    if names:
        remember(names)
    found: list[str] = []
    _restore_names(found)
    _restore_sys(_state["sys"], found)
    _restore_shell(_state["shell"], found)
    for name, record in list(_state["modules"].items()):
        _restore_module(name, record, found)
    return json.dumps(list(dict.fromkeys(found)))


# -- between two notebooks of one submission ---------------------------------------------

# Library-wide settings a notebook may change (torch.set_default_dtype in a set-up cell):
# how to read them when the library is first imported, and how to put them back.
FRESH_SETTINGS = {
    "numpy": (lambda np: {"err": np.geterr(), "print": np.get_printoptions()},
              lambda np, s: (np.seterr(**s["err"]), np.set_printoptions(**s["print"]), np.random.seed())),
    "torch": (lambda torch: {"dtype": torch.get_default_dtype(), "grad": torch.is_grad_enabled(),
                             "rng": torch.get_rng_state()},
              lambda torch, s: (torch.set_default_dtype(s["dtype"]), torch.set_grad_enabled(s["grad"]),
                                torch.set_rng_state(s["rng"]))),
}


def _leftovers() -> list[str]:
    """Processes and threads the last notebook left running (a new kernel has none)."""
    found = []
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())]
    if others:
        found.append(f"{len(others)} process(es) left running")
    threads = [t.name for t in threading.enumerate() if t not in _state["threads"]]
    if threads:
        found.append(f"threads left running: {', '.join(threads[:5])}")
    return found


def next_notebook() -> str:
    """Make this kernel, which ran one notebook of a submission, ready for the next one.

    The autograder reuses a student's kernel for the student's next notebook only when it
    is as clean as a new one: nothing guarded was changed (:func:`restore` found nothing)
    and no process or thread of the last notebook is still running. Then the notebook's
    names, output history, figures and working folder, ``sys.path``, the warning filters
    and the library settings it changed (torch's default dtype, numpy's error handling,
    the random generators) are put back as a new kernel has them. Returns (JSON) the
    reasons the kernel must not be reused, empty when it is ready.
    """
    if not _state:
        return json.dumps(["the guard was not installed"])
    reasons = json.loads(restore()) + _leftovers()
    if os.getcwd() != _state["process"]["cwd"]:
        reasons.append("the working folder was changed")  # the kernel (nobody) may not enter it again
    if reasons:
        return json.dumps(reasons)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    shell = _state["shell"]["shell"]
    shell.reset(new_session=True)  # names, In/Out, execution count
    _state["names"] = {}
    process = _state["process"]
    sys.path[:] = process["path"]
    warnings.filters[:] = process["warnings"]
    warnings._filters_mutated()  # drop the lookups cached under the old filters
    for name, settings in _state["settings"].items():
        FRESH_SETTINGS[name][1](sys.modules[name], settings)
    # The reset's own collection ran before the names were dropped: collect their cycles
    # now. Then freeze what survives (the libraries, torch's many objects above all), so
    # the next notebook's collections, the reset's among them, scan only its own objects.
    gc.collect()
    gc.freeze()
    return restore()  # the reset itself changes nothing guarded: "[]"
