"""``SandboxedExecute``: the Execute step of ``nbgrader autograde``, hardened.

``nbgrader_config.py`` puts it in place of nbgrader's ``Execute`` in
``Autograde.autograde_preprocessors``, so ``nbgrader autograde`` itself is the hardened
path. Per notebook it:

1. checks once per process that the sandbox starts and isolates
   (:func:`cs231n_utils.grading.sandbox.check`), and stops with the reason if it does not
   (student code never runs unsandboxed);
2. starts the kernel in the sandbox, talking over Unix sockets in a folder of its own;
3. installs :mod:`.kernel_guard` before the first cell;
4. runs each *autograded answer* cell (nbgrader ``solution`` and not ``grade``) as its
   definitions only (:mod:`.definitions`), and says in the cell's output what it skipped;
5. runs each test cell (``grade`` and not ``solution``) as its visible part and then its
   hidden part (nbgrader's hidden-tests region), restoring the guarded state before it and
   checking it after: any change fails the cell with ``GraderStateModified``. Output on
   stderr in a test cell (a warning) is moved to stdout, so it costs no points, and a
   result shown by the cell is kept as plain output, never read as partial credit. After
   each of the notebook's own cells, the guard records the names it bound. The cell's
   metadata records whether the visible or the hidden part failed, for the feedback;
6. caps each cell's output (``max_output_bytes``); after a timeout it interrupts the
   kernel and, if the kernel does not answer within ``interrupt_grace`` seconds, stops it;
   once the kernel is stopped or dead, every later cell gets an error saying why, so the
   notebook is still graded (those tests score 0) and the run goes on;
7. keeps the kernel for the same submission's next notebook (``reuse_kernel``), which
   saves a sandbox, an interpreter and the imports of numpy and torch per notebook, but
   only when the kernel is as clean as a new one: the notebook ran to its end, nothing
   guarded was changed and no process or thread of it is left
   (:func:`.kernel_guard.next_notebook`, which then clears the notebook's names and
   settings). Otherwise the next notebook gets a new kernel, as nbgrader would start.
   The grader releases the kept kernel after each student
   (:func:`release_kept_kernel`; at exit too).
"""

from __future__ import annotations

import ast
import atexit
import json
import re
import shutil
import tempfile
import time
from pathlib import Path
from queue import Empty

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, Execute
from traitlets import Bool, Float, Integer, default

from . import sandbox
from .definitions import bound_names, definitions_only

__all__ = ["SandboxedExecute", "GRADING_METADATA", "HIDDEN_BEGIN", "HIDDEN_END", "release_kept_kernel"]

KERNEL_NAME = "cs231n-sandbox"
GRADING_METADATA = "cs231n_grading"  # cell metadata key written for the feedback step
# nbgrader's own markers ("BEGIN HIDDEN TESTS"); a line holding one is a marker line.
HIDDEN_BEGIN = ClearHiddenTests.begin_test_delimeter.default_value
HIDDEN_END = ClearHiddenTests.end_test_delimeter.default_value
GUARD = "cs231n_utils.grading.kernel_guard"

_sandbox_checked: str | None = None
# The kernel kept for the next notebook of the same submission folder:
# {"notebook_dir": Path, "km": kernel manager, "socket_dir": Path}, or empty.
_kept: dict = {}


async def _async_stop(km, socket_dir: Path | None) -> None:
    """Kill a kernel (its whole sandbox) and remove its socket folder."""
    try:
        if await ensure_async(km.is_alive()):
            await ensure_async(km.shutdown_kernel(now=True))
        await ensure_async(km.cleanup_resources())
    except Exception:  # already gone: nothing left to stop
        pass
    if socket_dir is not None:
        shutil.rmtree(socket_dir, ignore_errors=True)


_stop = run_sync(_async_stop)


def release_kept_kernel() -> None:
    """Stop the kernel kept for a submission's next notebook, if any."""
    if _kept:
        kept = dict(_kept)
        _kept.clear()
        _stop(kept["km"], kept["socket_dir"])


atexit.register(release_kept_kernel)


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _stream(text: str, name: str = "stdout") -> NotebookNode:
    return NotebookNode(output_type="stream", name=name, text=text)


def split_hidden_tests(source: str) -> list[tuple[str, bool]]:
    """A test cell's source as consecutive (code, is_hidden) parts, split at the hidden
    tests' markers (the marker lines themselves belong to the hidden part)."""
    segments: list[tuple[list[str], bool]] = [([], False)]
    for line in source.splitlines():
        if HIDDEN_BEGIN in line and not segments[-1][1]:
            segments.append(([], True))
        segments[-1][0].append(line)
        if HIDDEN_END in line and segments[-1][1]:
            segments.append(([], False))
    return [("\n".join(lines), hidden) for lines, hidden in segments if "\n".join(lines).strip()]


class _SandboxSpecs(KernelSpecManager):
    """Knows one kernel: IPython in the sandbox, for one notebook folder."""

    def __init__(self, notebook_dir: Path, socket_dir: Path, **kwargs):
        super().__init__(**kwargs)
        self._spec = KernelSpec(
            argv=sandbox.kernel_argv(notebook_dir, socket_dir), display_name="Python 3 (grading sandbox)",
            language="python", interrupt_mode="message", metadata={},
        )

    def get_kernel_spec(self, kernel_name):
        return self._spec

    def find_kernel_specs(self):
        return {KERNEL_NAME: ""}


class SandboxedExecute(Execute):
    """nbgrader's Execute, with each kernel sandboxed and each test cell guarded."""

    max_output_bytes = Integer(2_000_000, help="output kept per cell; the rest is dropped").tag(config=True)
    interrupt_grace = Float(10.0, help="seconds a timed-out kernel has to stop after an interrupt").tag(config=True)
    memory_gib = Float(4.0, help="address-space limit of the kernel, GiB").tag(config=True)
    reuse_kernel = Bool(True, help="run a submission's next notebook in the same kernel when it is "
                                   "as clean as a new one (see the module's docstring)").tag(config=True)

    @default("shutdown_kernel")
    def _kill_at_once(self):
        # Nothing of a graded kernel is worth a graceful exit: kill it (and its
        # namespace) at once instead of waiting about a second per notebook.
        return "immediate"

    # -- kernel ------------------------------------------------------------------------

    def create_kernel_manager(self):
        notebook_dir = Path(self.resources.get("metadata", {}).get("path") or ".").resolve()
        return self._new_kernel_manager(notebook_dir)

    def _new_kernel_manager(self, notebook_dir: Path):
        self._socket_dir = Path(tempfile.mkdtemp(prefix="cs231n-kernel-"))
        self._socket_dir.chmod(0o777)  # the kernel runs as nobody and creates its sockets here
        specs = _SandboxSpecs(notebook_dir, self._socket_dir)
        self.km = self.kernel_manager_class(
            kernel_name=KERNEL_NAME, kernel_spec_manager=specs, transport="ipc",
            ip=str(self._socket_dir / "kernel"), config=self.config,
        )
        return self.km

    def preprocess(self, nb, resources=None, km=None):
        global _sandbox_checked
        if _sandbox_checked is None:
            _sandbox_checked = sandbox.check(sandbox.Limits(memory_bytes=int(self.memory_gib * 2**30)))
            self.log.info("Grading sandbox: %s", _sandbox_checked)
        self._stopped: str | None = None
        self._guard_ready = False
        self._output_bytes: dict[int, int] = {}
        self._answered: set[str] = set()  # requests whose execute_reply nbclient has read
        self._forged: list[str] = []
        self._socket_dir = None
        self._tampered = False  # a guard found changes: the kernel is not reused
        self._restored = False  # True while no code ran since the guard's last restore
        self.extra_arguments = [*(a for a in self.extra_arguments if not a.startswith("--memory-gib=")),
                                f"--memory-gib={self.memory_gib}"]
        if km is not None:  # a caller's kernel: run as nbgrader would, keep nothing
            return super().preprocess(nb, resources, km)
        notebook_dir = Path((resources or {}).get("metadata", {}).get("path") or ".").resolve()
        km = self._kept_kernel(notebook_dir)
        self._reused = km is not None
        if km is None:
            km = self._new_kernel_manager(notebook_dir)
        # A kernel manager passed in is not the client's own, so nbclient leaves the kernel
        # running at the end: _keep_or_stop decides.
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self._keep_or_stop(notebook_dir)

    def _kept_kernel(self, notebook_dir: Path):
        """The kernel kept from this submission's last notebook, or None."""
        if _kept and (_kept["notebook_dir"] != notebook_dir or not self.reuse_kernel):
            release_kept_kernel()  # another submission's kernel is never reused
        if not _kept:
            return None
        kept = dict(_kept)
        _kept.clear()
        self._socket_dir = kept["socket_dir"]
        self._guard_ready = True  # installed when the kernel ran the last notebook
        return kept["km"]

    def _keep_or_stop(self, notebook_dir: Path) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        km, self.km = self.km, None
        if km is None:
            return
        keep = (self.reuse_kernel and self._guard_ready and not self._stopped and not self._tampered
                and run_sync(km.is_alive)())
        if keep:
            _kept.update(notebook_dir=notebook_dir, km=km, socket_dir=self._socket_dir)
        else:
            _stop(km, self._socket_dir)

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        if self._reused:
            reasons = await self._async_guard("next_notebook()")
            if reasons != []:
                self.log.info("A new kernel for this notebook (the last one left %s)",
                              "; ".join(reasons or ["a kernel that did not answer"])[:300])
                self._reused, self._guard_ready = False, False
                await ensure_async(kc.stop_channels())
                await _async_stop(self.km, self._socket_dir)
                notebook_dir = Path(self.resources.get("metadata", {}).get("path") or ".").resolve()
                self.km = self._new_kernel_manager(notebook_dir)
                await self.async_start_new_kernel()
                kc = await super().async_start_new_kernel_client()
        return kc

    # nbclient's sync setup_kernel calls this wrapper, made from its own async method.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_handle_timeout(self, timeout, cell=None):
        reply = await super()._async_handle_timeout(timeout, cell)
        # A kernel that ignores the interrupt would make every later cell time out too.
        if not await self._answers_within(self.interrupt_grace):
            await self._stop_kernel(f"a cell ran past the {timeout} s limit and did not stop when interrupted")
        return reply

    async def _answers_within(self, seconds: float) -> bool:
        msg_id = self.kc.kernel_info()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Empty:
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    async def _stop_kernel(self, why: str) -> None:
        self._stopped = why
        self.log.warning("Stopping the kernel: %s", why)
        try:
            await ensure_async(self.km.shutdown_kernel(now=True))
        except Exception as exc:  # already gone
            self.log.debug("shutdown: %s", exc)

    # -- the guard ---------------------------------------------------------------------

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        reply = kwargs["execute_reply"]
        if "header" in reply:  # a real reply, not the stand-in nbclient makes on a timeout
            self._answered.add(reply["parent_header"].get("msg_id"))

    def _late_messages(self, msg: dict) -> None:
        """A second reply to a request already answered, or an error published for it
        after its reply: the first answer was forged by code in the kernel."""
        if msg["parent_header"].get("msg_id") in self._answered:
            if msg["msg_type"] in ("execute_reply", "error"):
                self._forged.append(f"the kernel sent a second answer ({msg['msg_type']}) to a request "
                                    "it had already answered: the first was forged")

    async def _async_guard(self, call: str, timeout: float = 60) -> list[str] | None:
        """Run ``kernel_guard.<call>`` in the kernel; its result, or None if it failed."""
        expression = f"__import__({GUARD!r}, fromlist=['_']).{call}"
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"guard": expression})
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Empty:
                break
            if msg["parent_header"].get("msg_id") != msg_id:
                self._late_messages(msg)
                continue
            await self._read_iopub_until_idle(msg_id, min(deadline, time.monotonic() + 5))
            result = msg["content"].get("user_expressions", {}).get("guard", {})
            if result.get("status") != "ok":
                return None
            try:
                value = json.loads(ast.literal_eval(result["data"]["text/plain"]))
            except (KeyError, ValueError, SyntaxError):
                return None
            return value if isinstance(value, list) else None
        return None

    async def _read_iopub_until_idle(self, msg_id: str, deadline: float) -> None:
        """Read IOPub up to the kernel's idle status for request ``msg_id``. IOPub keeps
        its order, so every message published before it (an error for an earlier
        request among them) has then been seen, without waiting a fixed time."""
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=left))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != msg_id:
                self._late_messages(msg)
            elif msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                return

    _guard = run_sync(_async_guard)

    def _guarded_state_changes(self, remember: list[str] = ()) -> list[str]:
        """Restore the guarded state; what had changed (a failed guard counts as a change).

        ``remember``: names the cell that just ran bound, recorded first (see
        :meth:`_remember_names`). When no code ran since the last restore there is nothing
        to check and the kernel is not asked."""
        if self._stopped or (self._restored and not remember):
            return []
        if not self._guard_ready:
            # The kernel has made its sockets: it may write nothing more in their folder.
            self._socket_dir.chmod(0o555)
            installed = self._guard("install()")
            if installed is None:
                return ["the grader's guard could not be installed in the kernel"]
            self._guard_ready = True
        changes = self._guard(f"restore({list(remember)!r})")
        if changes is None:
            changes = ["the grader's guard did not answer (its module or the kernel was tampered with)"]
        forged, self._forged = self._forged, []
        self._restored = True
        return changes + forged

    # -- cells -------------------------------------------------------------------------

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return None
        size = len(json.dumps(out))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return out
        if used <= self.max_output_bytes:  # the first output over the cap: say so once
            note = _stream(f"\n[output beyond {self.max_output_bytes} bytes dropped by the autograder]\n")
            outs.append(note)
        if out in outs:
            outs.remove(out)
        return None

    def _run(self, cell: NotebookNode, index: int, store_history: bool = True) -> None:
        """Execute ``cell``; a dead kernel becomes an error output and stops the notebook."""
        if self._stopped:
            cell.outputs = [_error("KernelStopped", f"not run: {self._stopped}")]
            return
        if not self._guard_ready:
            self._guarded_state_changes()  # install before any student code runs
        try:
            self._restored = False  # code runs: the next test must check again
            self.execute_cell(cell, index, store_history=store_history)
        except DeadKernelError:
            self._stopped = "the kernel died (the process exited, crashed or went over the memory limit)"
            cell.outputs.append(_error("DeadKernelError", self._stopped))
        except CellTimeoutError as exc:  # no output came after the reply, or no reply at all
            cell.outputs.append(_error("CellTimeoutError", str(exc).splitlines()[0]))
        if self._stopped and not any(o.output_type == "error" for o in cell.outputs):
            cell.outputs.append(_error("KernelStopped", self._stopped))

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        flags = cell.metadata.get("nbgrader", {})
        if flags.get("solution") and not flags.get("grade"):
            self._run_definitions(cell, index)
            return cell, resources
        if flags.get("grade") and not flags.get("solution"):
            self._run_test(cell, index)
        else:
            self._run(cell, index)
            self._remember_names(cell.source)
        return cell, resources

    @staticmethod
    def _names_to_remember(source: str) -> list[str]:
        # IPython rebinds its output cache (_, __, _5, ...) itself.
        return [n for n in bound_names(source) if not re.fullmatch(r"_+|_i*\d*", n)]

    def _remember_names(self, source: str) -> None:
        """Record what the notebook's own cell bound: what later tests must see."""
        names = self._names_to_remember(source)
        if names and self._guard_ready and not self._stopped:
            self._guard(f"remember({names!r})")

    def _run_definitions(self, cell: NotebookNode, index: int) -> None:
        source = cell.source
        code, skipped = definitions_only(source)
        cell.source = code
        try:
            self._run(cell, index)
        finally:
            cell.source = source
        if skipped:
            cell.outputs.insert(0, _stream(
                "The autograder runs only the definitions of this cell (def, class, import, "
                "NAME = value); it skipped:\n" + "".join(f"  {line}\n" for line in skipped)))

    def _run_test(self, cell: NotebookNode, index: int) -> None:
        record: dict = {"failed_in": None, "guard": [], "hidden_outputs": None}
        before = self._guarded_state_changes()
        source, outputs = cell.source, []
        try:
            for code, hidden in split_hidden_tests(source):
                cell.source = code
                # Hidden tests stay out of the kernel's input history (In, _ih).
                self._run(cell, index, store_history=not hidden)
                if hidden:  # which outputs the feedback must not show
                    start = len(outputs) if record["hidden_outputs"] is None else record["hidden_outputs"][0]
                    record["hidden_outputs"] = [start, len(outputs) + len(cell.outputs)]
                outputs += cell.outputs
                if any(o.output_type == "error" for o in cell.outputs):
                    record["failed_in"] = "hidden" if hidden else "visible"
                    break
        finally:
            cell.source = source
        after = self._guarded_state_changes(remember=self._names_to_remember(source))
        changes = list(dict.fromkeys(before + after))
        if changes:
            self._tampered = True
            record["guard"] = changes
            outputs.append(_error(
                "GraderStateModified",
                "the submission changed state the tests rely on, so this test cannot be trusted: "
                + "; ".join(changes[:10])))
            record["failed_in"] = record["failed_in"] or "guard"
        for output in outputs:
            if output.output_type == "stream" and output.name == "stderr":
                output.name = "stdout"  # a warning must not cost points (nbgrader scores stderr 0)
            elif output.output_type == "execute_result":
                # nbgrader reads a number shown as a test cell's result as partial credit;
                # submitted code can show one (sys.displayhook(9)): show it as plain output.
                output.output_type = "display_data"
                output.pop("execution_count", None)
        cell.outputs = outputs
        cell.metadata[GRADING_METADATA] = record
