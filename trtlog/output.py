"""The one way trtlog writes an output file (parse -o, report, diff -o, build's report and explain.txt).

* an existing file is replaced only with `force` (exit 2 otherwise);
* an input of the same command is never written over, whatever `force` says;
* the text goes to a temporary file in the same folder, which is renamed into place: a reader
  never sees half a file, and a full disk leaves the previous file as it was;
* a symlink at the output path is refused (a dangling one would write its target, anywhere);
* every OS error is one line naming the path (exit 2).
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Optional, Union

from .errors import TrtlogError

PathLike = Union[str, "os.PathLike[str]"]


def os_error(path: PathLike, exc: OSError, doing: str = "write") -> TrtlogError:
    """One line for an OS error on `path`."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device"
    return TrtlogError(f"cannot {doing} {path}: {reason}")


def _same_file(a: Path, b: PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def input_name(source: str, default: str = "build") -> str:
    """The name outputs made from one input are called after: the file or bundle name without its log /
    compression suffixes (logs/build.log.gz -> build)."""
    name = Path(source.rstrip("/")).name or default
    for suffix in (".gz", ".xz", ".log", ".txt", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name or default


def check_target(path: PathLike, *, force: bool = False, inputs: Iterable[PathLike] = ()) -> Path:
    """Refuse what `write` would refuse, before any slow work: an input, an existing file without
    `force`, a symlink, a directory, a missing folder."""
    out = Path(path)
    for src in inputs:
        if src and str(src) != "-" and (_same_file(out, src) or out.resolve() == Path(src).resolve()):
            raise TrtlogError(f"{out} is an input of this command; not writing over it")
    if out.is_symlink():
        raise TrtlogError(f"{out} is a symbolic link; not writing through it (remove it or choose another path)")
    if out.is_dir():
        raise TrtlogError(f"{out} is a directory")
    if out.exists() and not force:
        raise TrtlogError(f"{out} exists; not overwriting (use --force or another path)")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise TrtlogError(f"cannot write {out}: folder {parent} does not exist")
    return out


def write(path: PathLike, data: Union[str, bytes, Callable[[str], None]], *, force: bool = False,
          inputs: Iterable[PathLike] = ()) -> Path:
    """Write `data` (text, bytes, or a function that writes the file at the path it is given) to
    `path` atomically; see the module docstring."""
    out = check_target(path, force=force, inputs=inputs)
    parent = out.parent if str(out.parent) else Path(".")
    tmp: Optional[str] = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
        if callable(data):
            os.close(fd)
            data(tmp)
        else:
            with os.fdopen(fd, "wb") as fh:
                if isinstance(data, str):     # in pieces: no second, encoded copy of a big report
                    for i in range(0, len(data), 1 << 20):
                        fh.write(data[i:i + (1 << 20)].encode("utf-8"))
                else:
                    fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        if out.is_symlink():       # appeared while we wrote
            raise TrtlogError(f"{out} is a symbolic link; not writing through it")
        if not force and out.exists():
            raise TrtlogError(f"{out} exists; not overwriting (use --force or another path)")
        os.replace(tmp, out)
        tmp = None
    except OSError as exc:
        raise os_error(out, exc) from None      # the temporary file's name would mean nothing to the user
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
