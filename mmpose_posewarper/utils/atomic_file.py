"""Files that appear whole or not at all, with ordinary permissions (text,
JSON).

A file is written to a temporary name beside its destination and renamed
over it once complete, so a reader (or a crash) never sees it half
written. ``tempfile`` creates private files and folders (0600 / 0700); what
is written here ends up with the permissions an ordinary ``open()`` or
``mkdir`` would give under the user's umask, so a teammate can read it.
"""
import json
import os
import os.path as osp
import tempfile
from contextlib import contextmanager
from typing import IO, Any, Iterator


def umask_mode(mode: int = 0o666) -> int:
    """``mode`` less the process's umask: what ``open()`` (``0o666``) or
    ``mkdir`` (``0o777``) would create."""
    current = os.umask(0)
    os.umask(current)
    return mode & ~current


@contextmanager
def atomic_write(path: str, encoding: str = 'utf-8') -> Iterator[IO[str]]:
    """Open ``path`` for writing text; it is replaced only when the block
    ends without an error (then fsynced and given the umask's permissions),
    and on an error the temporary file is removed.

    The temporary name carries the process id, so that
    :func:`~.output.remove_stale_staging` can remove it after a SIGKILL.
    """
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{osp.basename(path)}.staging-{os.getpid()}-',
        suffix='.tmp',
        dir=directory)
    try:
        with os.fdopen(fd, 'w', encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, umask_mode())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` with :func:`atomic_write`."""
    with atomic_write(path) as f:
        f.write(text)


def write_json_atomic(path: str, obj: Any) -> None:
    """Write ``obj`` as JSON (no NaN or infinity) to ``path`` with
    :func:`atomic_write`: a reader (or a crash) never sees a half-written
    file."""
    with atomic_write(path) as f:
        json.dump(obj, f, allow_nan=False)
