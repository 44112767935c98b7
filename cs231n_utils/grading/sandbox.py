"""Run a Jupyter kernel for a student's notebook inside a Linux sandbox.

The autograder (:mod:`cs231n_utils.grading.execute`) starts every kernel through
:func:`main` (``python -m cs231n_utils.grading.sandbox -f CONNECTION_FILE ...``), which
replaces itself with ``prlimit ... bwrap ... python -m ipykernel_launcher``. Inside:

- the filesystem is an empty tmpfs with read-only binds of the system (``/usr``, the
  Python installation, the virtual environment, the course package and the data sets) and
  of the notebook's own folder; the only writable places are ``/scratch`` (``$HOME`` and
  ``$TMPDIR``) and the folder holding the kernel's sockets, both thrown away afterwards;
- /scratch and /tmp are tmpfs of a fixed size (512 and 64 MiB); the socket folder is
  made read-only (by its owner, the grader) as soon as the kernel has made its sockets;
- no network, its own PID, IPC, UTS and cgroup namespaces: it sees no other process, and
  when the kernel ends every process it started is killed with it (the namespace's init
  dies, and the kernel SIGKILLs the rest);
- an unprivileged user (uid/gid 65534, ``nobody``) without capabilities or new privileges;
- rlimits: address space (memory), CPU seconds, processes, file size and open files.

The kernel talks to the grader over Unix sockets (``transport="ipc"``) in a folder made
for that one kernel, since a kernel without a network cannot be reached over TCP.

Requirements (checked by :func:`check`, which the autograder runs before the first
kernel; a failure stops grading with the reason, never falls back to running unsandboxed):
Linux with ``bwrap`` (Debian/Ubuntu package ``bubblewrap``, 0.8 or newer) and
``prlimit``/``setpriv`` (``util-linux``). As root, bwrap needs nothing more; as another
user it needs unprivileged user namespaces (``sysctl kernel.unprivileged_userns_clone=1``
on Debian; on Ubuntu 24.04 an AppArmor profile that allows ``bwrap`` to use them), and
the kernel then runs as that user mapped to ``nobody`` inside its own user namespace.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Binds", "Limits", "SandboxError", "check", "kernel_argv", "sandbox_command", "main"]

NOBODY = 65534
SCRATCH = "/scratch"
# Environment variables a notebook may need; everything else is cleared.
PASSED_ENV = (
    "NBGRADER_EXECUTION", "OPENBLAS_THREAD_TIMEOUT",
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "LANG", "TZ",
)


class SandboxError(RuntimeError):
    """The sandbox cannot start on this machine; the message says what is missing."""


@dataclass(frozen=True)
class Limits:
    """Per-kernel resource limits (rlimits, so each process of the kernel has them)."""

    memory_bytes: int = 4 * 2**30  # address space; numpy and torch run well below it
    cpu_seconds: int = 1800  # beyond the cells' wall-clock timeouts: a last stop
    processes: int = 256  # per uid, so shared by kernels graded in parallel
    file_bytes: int = 2**30
    open_files: int = 1024
    scratch_bytes: int = 512 * 2**20  # the writable /scratch (HOME, TMPDIR)
    tmp_bytes: int = 64 * 2**20

    def prlimit_args(self) -> list[str]:
        return [
            f"--as={self.memory_bytes}", f"--cpu={self.cpu_seconds}",
            f"--nproc={self.processes}", f"--fsize={self.file_bytes}",
            f"--nofile={self.open_files}",
        ]


@dataclass(frozen=True)
class Binds:
    """What the kernel may read: the system and the course's read-only files."""

    notebook_dir: Path
    socket_dir: Path
    read_only: tuple[Path, ...] = field(default_factory=tuple)


def _tool(name: str) -> str:
    path = shutil.which(name) or next(
        (p for p in (f"/usr/bin/{name}", f"/bin/{name}") if os.access(p, os.X_OK)), None)
    if path is None:
        package = "bubblewrap" if name == "bwrap" else "util-linux"
        raise SandboxError(
            f"`{name}` is not installed: the autograder runs student code only inside a "
            f"sandbox (install the `{package}` package, e.g. `apt-get install {package}`)"
        )
    return path


def _python_paths() -> list[Path]:
    """The interpreter's installation, the virtual environment and the course package
    (an editable install points into the repository: bind only the package, never the
    repository, whose `solutions/` holds the hidden tests)."""
    import cs231n_utils

    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(cs231n_utils.__file__).parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(Path(sysconfig.get_paths()[key]))
    return sorted(p.resolve() for p in paths if p.exists())


def _data_paths() -> list[Path]:
    """The data directory and the decoded-array cache, read-only (see cs231n_utils.data)."""
    from cs231n_utils.data import resolve_cache_dir, resolve_data_dir

    return [p.resolve() for p in (resolve_data_dir(), resolve_cache_dir()) if p.is_dir()]


def default_read_only() -> tuple[Path, ...]:
    return tuple(dict.fromkeys(_python_paths() + _data_paths()))


def _bind_args(binds: Binds) -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink(f"/{name}") if os.path.islink(f"/{name}") else None
        if target:
            args += ["--symlink", target, f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            args += ["--ro-bind", f"/{name}", f"/{name}"]
    for etc in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "alternatives", "fonts"):
        if os.path.exists(f"/etc/{etc}"):
            args += ["--ro-bind", f"/etc/{etc}", f"/etc/{etc}"]
    # A passwd that knows only root and nobody: the host's accounts stay private.
    for name, text in (("passwd", PASSWD), ("group", GROUP)):
        account_file = binds.socket_dir / f".{name}"
        account_file.write_text(text)
        account_file.chmod(0o444)
        args += ["--ro-bind", str(account_file), f"/etc/{name}"]
    # bwrap makes missing parent folders readable by root only: make them first, 0755,
    # so that nobody can reach the binds below them.
    targets = [*binds.read_only, binds.notebook_dir, binds.socket_dir]
    parents = sorted({a for t in targets for a in t.parents if str(a) not in ("/", "/usr")}, key=lambda p: len(p.parts))
    for parent in parents:
        args += ["--perms", "0755", "--dir", str(parent)]
    # Parents before children, so a bind inside an earlier one is not hidden by it.
    for path in sorted(binds.read_only, key=lambda p: len(p.parts)):
        args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(binds.notebook_dir), str(binds.notebook_dir)]
    args += ["--bind", str(binds.socket_dir), str(binds.socket_dir)]
    return args


PASSWD = f"root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:{NOBODY}:{NOBODY}:nobody:{SCRATCH}:/usr/sbin/nologin\n"
GROUP = f"root:x:0:\nnogroup:x:{NOBODY}:\n"


def sandbox_command(inner: list[str], binds: Binds, limits: Limits = Limits(),
                    env: dict[str, str] | None = None) -> list[str]:
    """The command that runs ``inner`` in the sandbox (it writes the sandbox's passwd and
    group files into ``binds.socket_dir``)."""
    env = os.environ if env is None else env
    as_root = os.geteuid() == 0
    command = [_tool("prlimit"), *limits.prlimit_args(), "--", _tool("bwrap")]
    command += [
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--hostname", "sandbox",
        "--tmpfs", "/", "--proc", "/proc", "--dev", "/dev",
        # Sized tmpfs: their pages are the machine's memory, outside the kernel's rlimit.
        "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
        "--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", SCRATCH,
    ]
    if not as_root:
        # Without root, a user namespace maps the caller to nobody and drops capabilities.
        command += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    command += _bind_args(binds)
    command += ["--chdir", str(binds.notebook_dir), "--clearenv"]
    venv_bin = str(Path(sys.executable).parent)
    settings = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": SCRATCH, "TMPDIR": SCRATCH,
        "MPLCONFIGDIR": f"{SCRATCH}/.matplotlib", "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1", "LANG": "C.UTF-8", "USER": "nobody",
    }
    settings.update({k: env[k] for k in PASSED_ENV if k in env})
    # The data folders as they are bound: resolved, since a path through a symlink (or
    # under the host's /tmp) does not exist inside.
    from cs231n_utils.data import resolve_cache_dir, resolve_data_dir
    settings["CS231N_DATA"] = str(resolve_data_dir().resolve())
    settings["CS231N_CACHE"] = str(resolve_cache_dir().resolve())
    for key, value in settings.items():
        command += ["--setenv", key, value]
    command.append("--")
    if as_root:
        command += [_tool("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    return command + inner


def kernel_argv(notebook_dir: Path, socket_dir: Path) -> list[str]:
    """The kernel spec's argv: this module, which execs the sandboxed kernel."""
    return [sys.executable, "-m", "cs231n_utils.grading.sandbox", "--notebook-dir", str(notebook_dir),
            "--socket-dir", str(socket_dir), "-f", "{connection_file}"]


def _kernel_inner(connection_file: str) -> list[str]:
    # -P: the notebook's folder (which a submission fills) is not on sys.path, so a file
    # there cannot stand in for numpy or the course package; ignore_cwd does the same
    # for IPython, which would add it back.
    return [sys.executable, "-P", "-m", "ipykernel_launcher", "-f", connection_file,
            "--IPKernelApp.ignore_cwd=True", "--HistoryManager.hist_file=:memory:"]


def check(limits: Limits = Limits()) -> str:
    """Start a throw-away sandbox and prove it isolates; return a one-line description.

    Raises SandboxError with the reason when it cannot start or does not isolate."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cs231n-sandbox-check-") as tmp:
        notebook_dir, socket_dir = Path(tmp, "notebook"), Path(tmp, "sockets")
        notebook_dir.mkdir(); socket_dir.mkdir(); socket_dir.chmod(0o777)
        probe = (
            "import os, socket, sys\n"
            "assert os.getuid() != 0, 'runs as root'\n"
            "assert not os.path.exists(os.path.expanduser('~root/.bashrc')), 'sees /root'\n"
            "try:\n socket.create_connection(('1.1.1.1', 53), timeout=1); sys.exit('network reachable')\n"
            "except OSError: pass\n"
            "assert len([p for p in os.listdir('/proc') if p.isdigit()]) < 5, 'sees other processes'\n"
            "try:\n open('probe', 'w'); sys.exit('notebook folder writable')\n"
            "except OSError: pass\n"
            "open(os.environ['HOME'] + '/ok', 'w').write('ok')\n"
            "print('uid', os.getuid())\n"
        )
        command = sandbox_command([sys.executable, "-P", "-c", probe],
                                  Binds(notebook_dir, socket_dir, default_read_only()), limits)
        try:
            process = subprocess.run(command, capture_output=True, text=True, timeout=60)
            out, err = process.stdout, process.stderr
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxError(f"the sandbox did not start: {exc}") from exc
        if process.returncode != 0:
            raise SandboxError(
                "the sandbox did not start or does not isolate (needs bubblewrap and, when not root, "
                f"unprivileged user namespaces): {(err or out).strip()[-500:]}"
            )
    return f"sandbox ok ({out.strip()}, bwrap {_bwrap_version()}, memory limit {limits.memory_bytes / 2**30:g} GiB)"


def _bwrap_version() -> str:
    result = subprocess.run([_tool("bwrap"), "--version"], capture_output=True, text=True)
    return result.stdout.split()[-1] if result.stdout else "?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="start an IPython kernel in the grading sandbox")
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--notebook-dir", type=Path, required=True)
    parser.add_argument("--socket-dir", type=Path, required=True)
    parser.add_argument("--memory-gib", type=float, default=Limits.memory_bytes / 2**30)
    parser.add_argument("--cpu-seconds", type=int, default=Limits.cpu_seconds)
    # Anything else (nbclient adds --HistoryManager...) goes to the kernel.
    args, kernel_args = parser.parse_known_args(argv)
    # The connection file lives in the grader's runtime folder: copy it next to the
    # sockets, the one writable folder the kernel shares with the grader.
    connection = args.socket_dir / "connection.json"
    shutil.copyfile(args.connection_file, connection)
    connection.chmod(0o444)
    limits = Limits(memory_bytes=int(args.memory_gib * 2**30), cpu_seconds=args.cpu_seconds)
    binds = Binds(args.notebook_dir.resolve(), args.socket_dir.resolve(), default_read_only())
    command = sandbox_command(_kernel_inner(str(connection)) + kernel_args, binds, limits)
    # Replace this process, so the kernel manager's handle is the sandbox itself: killing
    # it tears the whole namespace down.
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
