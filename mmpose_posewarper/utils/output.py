"""Writing a tool's outputs as one set: all of them or none.

Every tool that writes files goes through :class:`OutputSet`:

* the outputs are checked before the long work starts (an existing
  non-empty output is refused unless ``--overwrite``; an output that is or
  holds an input is always refused; the destination's folder must be
  writable: the staging folder is created there at once);
* every file is written into a hidden staging folder beside the destination
  (``.<name>.staging-<pid>-<random>``) and moved into place only when the
  whole set is complete;
* on an error, Ctrl-C (SIGINT) or SIGTERM/SIGHUP the staging folder is
  removed and the destination is as before. SIGTERM and SIGHUP are turned
  into a :class:`Terminated` exception while the set is open, so that the
  cleanup runs (Python's default would end the process on the spot);
* SIGKILL cannot be caught: the staging folder of a killed process stays,
  and the next :class:`OutputSet` on the same folder removes it (its process
  id no longer runs).
"""
import os
import os.path as osp
import re
import shutil
import signal
import sys
import tempfile
import threading
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence

from .atomic_file import umask_mode

#: Signals that end a tool cleanly (output set removed) instead of abruptly.
TERMINATING_SIGNALS = tuple(
    getattr(signal, name) for name in ('SIGTERM', 'SIGHUP')
    if hasattr(signal, name))
#: Staging folders and temporary files (``write_json_atomic``) of a process
_STAGING = re.compile(r'^\..*\.staging-(\d+)-[A-Za-z0-9_]+(\.old|\.tmp)?$')


class Terminated(BaseException):
    """SIGTERM/SIGHUP arrived while an output set was open.

    A ``BaseException`` like ``KeyboardInterrupt``, so ``except Exception``
    in between does not swallow it.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f'terminated by {signal.Signals(signum).name}')


class OutputExistsError(FileExistsError):
    """An output exists already and ``--overwrite`` was not given."""


class OutputConflictError(ValueError):
    """An output would be or contain one of the tool's inputs."""


def _real(path: str) -> str:
    return osp.realpath(osp.abspath(path))


def is_same_or_inside(path: str, root: str) -> bool:
    """``path`` is ``root`` or lies inside it (symlinks resolved)."""
    path, root = _real(path), _real(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # runs, as another user
        return True
    return True


def remove_stale_staging(folder: str) -> List[str]:
    """Remove staging folders in ``folder`` left by processes that no longer
    run (killed with SIGKILL, or a power cut). Returns what was removed."""
    removed = []
    if not osp.isdir(folder):
        return removed
    for name in os.listdir(folder):
        match = _STAGING.match(name)
        if match and not _pid_alive(int(match.group(1))):
            path = osp.join(folder, name)
            if osp.isdir(path) and not osp.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.remove(path)
                except OSError:
                    continue
            removed.append(path)
    return removed


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP back while the set is moved into place or
    removed: they take effect right after, with the destination complete or
    as before, never half-moved. (Python runs signal handlers in the main
    thread between bytecodes, whichever thread the signal hit, so swapping
    the handlers is enough; blocking the signal in one thread is not.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: List[int] = []

    def defer(signum: int, frame) -> None:
        pending.append(signum)

    old = {sig: signal.signal(sig, defer)
           for sig in (signal.SIGINT, *TERMINATING_SIGNALS)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        if pending and callable(old[pending[0]]):
            old[pending[0]](pending[0], None)  # raises, as it would have


def _raise_terminated(signum: int, frame) -> None:
    raise Terminated(signum)


class OutputSet:
    """Stage a tool's output files and move them into place together.

    Two kinds of destination:

    * ``names=None``: ``dest`` is a folder that the tool owns as a whole
      (e.g. ``--out-dir``). It must not exist or be empty unless
      ``overwrite``; then it is replaced as a whole, so no stale file of an
      earlier run stays. The staging folder is ``dest``'s sibling.
    * ``names=[...]``: the tool writes these files into the folder ``dest``,
      which may hold other things (e.g. a demo's ``--output-root``). Each
      named file must not exist unless ``overwrite``; files not named are
      left alone. The staging folder is inside ``dest``.

    Use as a context manager; write every output to :meth:`path`. Leaving
    the block normally moves the set into place; leaving it with an
    exception (Ctrl-C and SIGTERM included) removes the staging folder.

    Args:
        dest (str): Destination folder.
        names (Sequence[str], optional): File names written into ``dest``.
        overwrite (bool): Replace existing outputs. Defaults to False.
        inputs (Sequence[str]): Everything the tool reads, files (frames
            included) and folders, symlinks resolved: no output may be an
            input, hold one, or lie inside an input folder.
        option (str): How the user named ``dest`` (e.g. ``'--out-dir'``),
            for messages.
    """

    def __init__(self,
                 dest: str,
                 names: Optional[Sequence[str]] = None,
                 overwrite: bool = False,
                 inputs: Sequence[str] = (),
                 option: str = 'output') -> None:
        self.dest = osp.abspath(dest)
        self.names = None if names is None else list(names)
        self.overwrite = overwrite
        self.inputs = [str(i) for i in inputs if i]
        self.option = option
        self.staging: Optional[str] = None
        self._old_handlers: dict = {}
        self._created: List[str] = []
        self.check()

    # ------------------------------------------------------------- checks
    def targets(self) -> List[str]:
        """The paths this set creates or replaces."""
        if self.names is None:
            return [self.dest]
        return [osp.join(self.dest, n) for n in self.names]

    def check(self) -> None:
        """Refuse outputs that exist (without ``overwrite``) or that are or
        hold an input. Run at construction, before any long work."""
        # first: --overwrite would not help here
        for inp in self.inputs:
            for target in self.targets():
                if is_same_or_inside(inp, target) or (
                        osp.exists(inp) and osp.exists(target)
                        and osp.samefile(inp, target)):
                    raise OutputConflictError(
                        f'{self.option} {target}: would overwrite or delete '
                        f'the input {inp}; the output must be a new location')
                if osp.isdir(inp) and is_same_or_inside(target, inp):
                    # what is read there may be replaced (a frame, a file
                    # of the folder a tool reads as a whole)
                    raise OutputConflictError(
                        f'{self.option} {target}: lies inside the input '
                        f'folder {inp}; the output must be a new location '
                        'outside what the run reads')
        if self.names is None:
            if osp.exists(self.dest) and not osp.isdir(self.dest):
                raise OutputExistsError(
                    f'{self.option} {self.dest}: exists and is not a '
                    'directory')
            if osp.isdir(self.dest) and os.listdir(self.dest) \
                    and not self.overwrite:
                raise OutputExistsError(
                    f'{self.option} {self.dest}: exists and is not empty '
                    f'({len(os.listdir(self.dest))} entries); choose a new '
                    'location or pass --overwrite to replace it as a whole')
        else:
            if osp.exists(self.dest) and not osp.isdir(self.dest):
                raise OutputExistsError(
                    f'{self.option} {self.dest}: exists and is not a '
                    'directory')
            for path in self.targets():
                if osp.isdir(path):
                    raise OutputExistsError(
                        f'{self.option} {path}: is a directory; give a file '
                        'path')
                if osp.lexists(path) and not self.overwrite:
                    raise OutputExistsError(
                        f'{self.option} {path}: exists; choose another path '
                        'or pass --overwrite to replace it')

    # ------------------------------------------------------------ staging
    def path(self, *parts: str) -> str:
        """Where to write an output (``parts`` relative to ``dest``)."""
        if self.staging is None:
            raise RuntimeError('OutputSet.path() outside its with block')
        return osp.join(self.staging, *parts)

    def __enter__(self) -> 'OutputSet':
        parent = osp.dirname(self.dest) if self.names is None else self.dest
        # folders made here are removed again when the set fails
        self._created = []
        folder = parent
        while not osp.exists(folder) and folder != osp.dirname(folder):
            self._created.append(folder)
            folder = osp.dirname(folder)
        try:
            os.makedirs(parent, exist_ok=True)
        except OSError as e:
            raise OSError(e.errno, f'{self.option} {self.dest}: cannot '
                          f'create {parent}: {e.strerror}') from None
        stale = remove_stale_staging(parent)
        if stale:
            print(f'removed {len(stale)} staging folder(s) of an earlier, '
                  f'killed run: {", ".join(stale)}', file=sys.stderr)
        base = osp.basename(self.dest) if self.names is None else \
            (self.names[0] if self.names else 'output')
        try:
            # a signal while the folder is made takes effect once its name
            # is known, and the folder is then removed (__exit__ does not
            # run for an exception raised in __enter__)
            with _signals_deferred():
                self.staging = tempfile.mkdtemp(
                    prefix=f'.{base}.staging-{os.getpid()}-', dir=parent)
                # mkdtemp's folder is private (0700); the committed folder
                # gets what mkdir gives under the umask
                os.chmod(self.staging, umask_mode(0o777))
            if threading.current_thread() is threading.main_thread():
                for sig in TERMINATING_SIGNALS:
                    self._old_handlers[sig] = signal.signal(
                        sig, _raise_terminated)
        except BaseException as e:
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                self.staging = None
            for sig, handler in self._old_handlers.items():
                signal.signal(sig, handler)
            self._old_handlers = {}
            self._remove_created()
            if isinstance(e, OSError):
                # found now, not after hours of work
                raise OSError(e.errno, f'{self.option} {self.dest}: cannot '
                              f'write in {parent}: {e.strerror}') from None
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            with _signals_deferred():
                if exc_type is None:
                    self._commit()
                else:
                    shutil.rmtree(self.staging, ignore_errors=True)
                    self._remove_created()
        finally:
            self.staging = None
            for sig, handler in self._old_handlers.items():
                signal.signal(sig, handler)
            self._old_handlers = {}
        return False

    def _remove_created(self) -> None:
        for folder in self._created:  # deepest first
            try:
                os.rmdir(folder)
            except OSError:  # not empty (someone else wrote there) or gone
                break

    def _commit(self) -> None:
        # a second run may have created an output meanwhile: check again
        try:
            self.check()
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._remove_created()
            raise
        if self.names is None:
            self._commit_folder()
            return
        for name in os.listdir(self.staging):
            if self.names and name not in self.names:
                continue
            os.replace(osp.join(self.staging, name), osp.join(self.dest, name))
        shutil.rmtree(self.staging, ignore_errors=True)

    def _commit_folder(self) -> None:
        old = None
        if osp.isdir(self.dest):
            # move the old folder aside first: rename() cannot replace a
            # non-empty folder, and a failure must leave it in place
            old = self.staging + '.old'
            os.rename(self.dest, old)
        try:
            os.rename(self.staging, self.dest)
        except OSError:
            if old is not None:
                os.rename(old, self.dest)
            shutil.rmtree(self.staging, ignore_errors=True)
            raise
        if old is not None:
            if osp.islink(old):  # dest was a link to a folder: drop the link
                os.remove(old)
            else:
                shutil.rmtree(old, ignore_errors=True)
