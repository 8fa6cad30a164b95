"""Where outputs go: the rules that keep a user's files safe (DESIGN.md "Outputs").

Nothing a user owns is overwritten, and nothing is written outside the output the user named:

- ``report --out OUT`` replaces only a missing or empty folder, or a previous report of this
  package: a folder holding the marker file :data:`MARKER_NAME`, which lists every file the
  report wrote. A folder holding anything else (or a previous report to which someone has added
  a file) is refused (:func:`check_report_out`).
- A report is written into a hidden staging folder *inside* ``OUT`` and moved into place only
  when complete (:func:`staged_folder`): an error, Ctrl-C, SIGTERM or SIGHUP removes the
  staging folder and leaves the previous contents of ``OUT`` as they were.
- Single-file outputs (the ``chronology`` workbook) and the ``synthesize`` folder refuse to
  replace what is not their own output unless forced (:func:`claim_file`,
  :func:`claim_extract_folder`); a file is written to a temporary name beside it and renamed
  over the old one (:func:`write_bytes_atomic`).
- A chronology workbook is named from its parent id only where the id is a safe file name;
  any other id gets a name from a hash (:func:`chronology_file_names`), and every path is
  checked to lie inside its folder (:func:`inside`).
- Operating-system errors (disk full, read-only file system, name too long, permission denied)
  become one line for the user (:func:`describe_os_error`).
"""
from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from . import __version__

#: The marker file of a report folder: its first line names the package, then one line per file.
MARKER_NAME = ".neglect-analysis-report"
#: First line of the marker (the version follows).
MARKER_HEADER = "neglect-analysis report"
#: Prefixes of the hidden folders this package makes inside an output folder while writing.
STAGING_PREFIX = ".neglect-analysis-partial-"
OLD_PREFIX = ".neglect-analysis-old-"
#: ``creator`` document property of every workbook this package writes.
WORKBOOK_CREATOR = "neglect-analysis"
#: ``generator`` of ``extract.json`` in an extract written by :mod:`neglect_analysis.synthetic`.
SYNTHETIC_GENERATOR = "neglect_analysis.synthetic"
#: Ids kept as they are in a chronology file name: letters, digits, ``_`` and ``-``, starting
#: with a letter or digit, at most 64 characters. Any other id is named by a hash.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: Hex digits of SHA-256 in a hashed chronology file name.
HASH_HEX = 12


class OutputError(ValueError):
    """An output that cannot or must not be written; the message is one line for the user.

    The command line reports it as a usage error (exit 2).
    """


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM or SIGHUP while output is being written, so that the
    clean-up of an interrupted run (as for Ctrl-C) removes unfinished output."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return signal.Signals(self.signum).name


# --- messages -------------------------------------------------------------------------------

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EEXIST: "it already exists",
    errno.ENOENT: "no such file or folder",
    errno.EIO: "input/output error of the disk",
    errno.EXDEV: "it is on another disk",
}


def describe_os_error(err: OSError) -> str:
    """One line for the user from an operating-system error: the file and what went wrong.

    Examples
    --------
    >>> describe_os_error(OSError(errno.ENOSPC, "No space left on device", "out/a.csv"))
    'cannot write out/a.csv: the disk is full'
    >>> describe_os_error(PermissionError(errno.EACCES, "Permission denied", "/x"))
    'cannot write /x: permission denied'
    >>> describe_os_error(FileNotFoundError("data is not a folder."))
    'data is not a folder.'
    """
    if err.errno is None:
        return str(err)
    reason = _REASONS.get(err.errno) or (err.strerror or str(err)).rstrip(".").lower()
    name = err.filename if err.filename is not None else "the output"
    verb = "read or write" if err.errno in (errno.ENOENT, errno.ENOTDIR) else "write"
    return f"cannot {verb} {name}: {reason}"


# --- signals --------------------------------------------------------------------------------

def _raise_terminated(signum, frame):
    raise Terminated(signum)


def _stop_signals() -> list[int]:
    return [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


@contextmanager
def signals_raise() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`Terminated` (a ``KeyboardInterrupt``).

    Only in the main thread, and only for a signal left at its default action (a signal the
    caller ignores, e.g. SIGHUP under ``nohup``, stays ignored); the previous handlers are put
    back on leaving.

    Examples
    --------
    >>> with signals_raise():
    ...     signal.getsignal(signal.SIGTERM) is _raise_terminated
    True
    >>> signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    True
    """
    installed = {}
    if threading.current_thread() is threading.main_thread():
        for sig in _stop_signals():
            if signal.getsignal(sig) == signal.SIG_DFL:
                installed[sig] = signal.signal(sig, _raise_terminated)
    try:
        yield
    finally:
        for sig, previous in installed.items():
            signal.signal(sig, previous)


# --- report folders -------------------------------------------------------------------------

def _is_ours(name: str) -> bool:
    """Hidden staging folders this package leaves only when killed outright (SIGKILL)."""
    return name.startswith((STAGING_PREFIX, OLD_PREFIX))


def marker_text(files: Iterable[str]) -> str:
    """The marker file of a report holding ``files`` (relative paths, sorted on writing).

    Examples
    --------
    >>> print(marker_text(["b/x.csv", "a.csv"]).replace(__version__, "V"), end="")
    neglect-analysis report V
    a.csv
    b/x.csv
    """
    return "\n".join([f"{MARKER_HEADER} {__version__}", *sorted(files)]) + "\n"


def _marker_files(folder: Path) -> set[str] | None:
    """The files listed by the marker of ``folder``, or ``None`` where it has no marker."""
    marker = folder / MARKER_NAME
    if not marker.is_file():
        return None
    lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    if not lines or not lines[0].startswith(MARKER_HEADER):
        return None
    return set(lines[1:])


def _files_under(folder: Path) -> list[str]:
    """Relative paths (``/``-separated) of the files and links under ``folder``, leaving out the
    marker and this package's staging folders."""
    found = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        if rel == Path("."):
            dirs[:] = [d for d in dirs if not _is_ours(d)]
            files = [f for f in files if f != MARKER_NAME and not _is_ours(f)]
        found += [(rel / f).as_posix() for f in files]
        found += [(rel / d).as_posix() for d in dirs if (Path(root) / d).is_symlink()]
    return sorted(found)


def _show(names: list[str], n: int = 3) -> str:
    shown = ", ".join(names[:n])
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")


def check_report_out(out: str | Path, data_dir: str | Path | None = None) -> Path:
    """Check that ``report --out out`` may be written; return ``out`` as a :class:`Path`.

    Allowed: a folder that does not exist yet, an empty folder, or a previous report of this
    package (marker file :data:`MARKER_NAME`) holding only the files that report wrote.
    Refused with :class:`OutputError`: a file; a folder holding anything else; the input folder
    ``data_dir``, a folder inside it or one that holds it; the project's ``data/`` folder.

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> check_report_out(d / "new") == d / "new"
    True
    >>> _ = (d / "board-papers.docx").write_text("minutes")
    >>> check_report_out(d)
    Traceback (most recent call last):
    ...
    neglect_analysis.outputs.OutputError: --out ... is not empty and is not a report of neglect-analysis (it holds board-papers.docx). Nothing was written: choose a new or empty folder.
    """
    out = Path(out)
    try:
        _check_not_input(out, data_dir)
        if not (out.exists() or out.is_symlink()):
            return out
        if not out.is_dir():
            raise OutputError(f"--out {out} is a file, not a folder. Nothing was written: give a new "
                              "or empty folder (or a previous report of neglect-analysis, which is replaced).")
        listed = _marker_files(out)
        if listed is None:
            entries = sorted(e.name for e in out.iterdir() if not _is_ours(e.name))
            if entries:
                raise OutputError(f"--out {out} is not empty and is not a report of neglect-analysis "
                                  f"(it holds {_show(entries)}). Nothing was written: choose a new or empty folder.")
            return out
        extra = [f for f in _files_under(out) if f not in listed]
        if extra:
            raise OutputError(f"--out {out} holds a previous report and files it did not write "
                              f"({_show(extra)}). Nothing was written: move those files elsewhere "
                              "or choose another folder.")
    except OSError as e:
        raise OutputError(f"--out {out}: {describe_os_error(e)}") from e
    return out


def _check_not_input(out: Path, data_dir: str | Path | None) -> None:
    from .reference import default_reference_dir

    o = out.resolve()
    guarded = [(default_reference_dir().parent.resolve(), "the project's data/ folder")]
    if data_dir is not None:
        d = Path(data_dir).resolve()
        guarded.insert(0, (d, "the input folder"))
        if o in d.parents:
            raise OutputError(f"Refusing to write the report over a folder that holds the input ({o}). "
                              "Choose another --out.")
    for folder, what in guarded:
        if o == folder or folder in o.parents:
            raise OutputError(f"Refusing to write the report into {what} ({folder}). Choose another --out.")


@contextmanager
def staged_folder(out: str | Path, *, merge: bool = False,
                  check: Callable[[Path], object] | None = None) -> Iterator[Path]:
    """Write into a hidden staging folder inside ``out``; move its contents into ``out`` on success.

    ``out`` is created if missing. With ``merge=False`` (a report) the previous contents of
    ``out`` are replaced as a whole; with ``merge=True`` (an extract) each written file
    replaces the file of the same name and the other files of ``out`` stay. ``check(out)``, when
    given, runs again just before the move (a file may have been added during a long run).

    On any exception, Ctrl-C, SIGTERM or SIGHUP (see :func:`signals_raise`) the staging
    folder is removed, ``out`` is removed if this call created it, and the previous contents
    of ``out`` stay as they were. Operating-system errors (disk full, read-only file system,
    name too long) are raised as one-line :class:`OutputError`.

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> with staged_folder(d / "out") as stage:
    ...     _ = (stage / "a.txt").write_text("new")
    >>> sorted(p.name for p in (d / "out").iterdir())
    ['a.txt']
    >>> with staged_folder(d / "out") as stage:
    ...     _ = (stage / "b.txt").write_text("half")
    ...     raise RuntimeError("stopped")
    Traceback (most recent call last):
    ...
    RuntimeError: stopped
    >>> sorted(p.name for p in (d / "out").iterdir())
    ['a.txt']
    """
    out = Path(out)
    created = False
    stage = None
    try:
        with signals_raise():
            try:
                created = not out.exists()
                out.mkdir(parents=True, exist_ok=True)
                stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
                yield stage
                if check is not None:
                    check(out)
                _commit(stage, out, merge=merge)
            except OSError as e:
                raise OutputError(f"{describe_os_error(e)}. Nothing was written to {out}; its previous "
                                  "contents are unchanged.") from e
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        if created:
            try:
                out.rmdir()
            except OSError:
                pass
        raise


def _commit(stage: Path, out: Path, *, merge: bool) -> None:
    """Move the contents of ``stage`` into ``out`` (the marker last) and remove ``stage``."""
    names = sorted((p.name for p in stage.iterdir()), key=lambda n: (n == MARKER_NAME, n))
    if merge:
        for name in names:
            os.replace(stage / name, out / name)
        stage.rmdir()
        return
    old = Path(tempfile.mkdtemp(prefix=OLD_PREFIX, dir=out))
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for entry in sorted(out.iterdir()):
            if entry.name in (stage.name, old.name, MARKER_NAME):
                continue
            entry.rename(old / entry.name)
            moved_out.append(entry.name)
        for name in names:
            os.replace(stage / name, out / name)
            moved_in.append(name)
    except BaseException:
        for name in moved_in:  # best effort: put the previous report back
            if name != MARKER_NAME:
                _remove(out / name)
        for name in moved_out:
            try:
                (old / name).rename(out / name)
            except OSError:
                pass
        raise
    if MARKER_NAME not in names and (out / MARKER_NAME).exists():
        (out / MARKER_NAME).unlink()
    shutil.rmtree(old, ignore_errors=True)
    stage.rmdir()


@contextmanager
def report_folder(out: str | Path, data_dir: str | Path | None = None) -> Iterator[Path]:
    """:func:`staged_folder` for ``report --out``: checked by :func:`check_report_out` before and
    again just before the move, with the marker file listing every file written.

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> with report_folder(d / "r") as stage:
    ...     _ = (stage / "analyst").mkdir(), (stage / "analyst" / "t.csv").write_text("x\\n")
    >>> (d / "r" / MARKER_NAME).read_text().splitlines()[1:]
    ['analyst/t.csv']
    >>> with report_folder(d / "r") as stage:  # a previous report is replaced
    ...     _ = (stage / "u.csv").write_text("y\\n")
    >>> sorted(p.name for p in (d / "r").iterdir())
    ['.neglect-analysis-report', 'u.csv']
    """
    out = check_report_out(out, data_dir)
    with staged_folder(out, check=lambda o: check_report_out(o, data_dir)) as stage:
        yield stage
        (stage / MARKER_NAME).write_text(marker_text(_files_under(stage)), encoding="utf-8")


# --- single files and extract folders -------------------------------------------------------

def is_own_workbook(path: str | Path) -> bool:
    """Whether ``path`` is an ``.xlsx`` written by this package (creator :data:`WORKBOOK_CREATOR`).

    Examples
    --------
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> _ = p.write_text("not a workbook")
    >>> is_own_workbook(p)
    False
    """
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    # The creator element, however the writer spelled its namespace (openpyxl writes
    # ``<dc:creator xmlns:dc=...>`` when lxml is installed).
    found = re.search(r"<dc:creator(?:\s[^>]*)?>([^<]*)</dc:creator>", core)
    return found is not None and found.group(1) == WORKBOOK_CREATOR


def claim_file(path: str | Path, *, force: bool = False, suffix: str | None = None,
               is_own: Callable[[Path], bool] | None = None) -> Path:
    """Check that the single-file output ``path`` may be written; return it as a :class:`Path`.

    Refused with :class:`OutputError`: a name not ending in ``suffix``; a folder; an existing
    file that ``is_own`` does not recognise as this package's output, unless ``force``.

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "ssd_person.xlsx").write_text("the extract")
    >>> claim_file(d / "ssd_person.xlsx", suffix=".xlsx", is_own=is_own_workbook)
    Traceback (most recent call last):
    ...
    neglect_analysis.outputs.OutputError: --out .../ssd_person.xlsx exists and was not written by neglect-analysis. Nothing was written: give another name, or --force to replace it.
    >>> claim_file(d / "ssd_person.xlsx", force=True).name
    'ssd_person.xlsx'
    """
    path = Path(path)
    try:
        if suffix is not None and path.suffix.lower() != suffix:
            raise OutputError(f"--out {path}: give a file name ending in {suffix}.")
        if path.is_dir():
            raise OutputError(f"--out {path} is a folder. Give a file name, e.g. {path / ('family' + (suffix or ''))}.")
        if path.exists() and not force and not (is_own is not None and is_own(path)):
            raise OutputError(f"--out {path} exists and was not written by neglect-analysis. Nothing was "
                              "written: give another name, or --force to replace it.")
    except OSError as e:
        raise OutputError(f"--out {path}: {describe_os_error(e)}") from e
    return path


def is_own_extract(folder: str | Path) -> bool:
    """Whether ``folder`` holds an extract written by :mod:`neglect_analysis.synthetic`
    (its ``extract.json`` names the generator).

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> is_own_extract(d)
    False
    >>> _ = (d / "extract.json").write_text('{"generator": "neglect_analysis.synthetic 1"}')
    >>> is_own_extract(d)
    True
    """
    try:
        meta = json.loads((Path(folder) / "extract.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and str(meta.get("generator", "")).startswith(SYNTHETIC_GENERATOR)


def claim_extract_folder(folder: str | Path, *, force: bool = False) -> Path:
    """Check that ``synthesize`` may write into ``folder``; return it as a :class:`Path`.

    Allowed: a missing or empty folder, or a synthetic extract written before
    (:func:`is_own_extract`). Refused with :class:`OutputError`: a file; any other folder
    with files in it, unless ``force`` (then same-named files are replaced, others stay).

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "ssd_person.csv").write_text("pers_person_id\\n")
    >>> claim_extract_folder(d)
    Traceback (most recent call last):
    ...
    neglect_analysis.outputs.OutputError: ... holds files that are not a synthetic extract of neglect-analysis (ssd_person.csv). Nothing was written: choose a new or empty folder, or --force to write over it.
    """
    folder = Path(folder)
    try:
        if not (folder.exists() or folder.is_symlink()):
            return folder
        if not folder.is_dir():
            raise OutputError(f"{folder} is a file, not a folder. Nothing was written: give a new or empty folder.")
        entries = sorted(e.name for e in folder.iterdir() if not _is_ours(e.name))
        if entries and not force and not is_own_extract(folder):
            raise OutputError(f"{folder} holds files that are not a synthetic extract of neglect-analysis "
                              f"({_show(entries)}). Nothing was written: choose a new or empty folder, "
                              "or --force to write over it.")
    except OSError as e:
        raise OutputError(f"{folder}: {describe_os_error(e)}") from e
    return folder


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file beside it, renamed into place.

    An error, Ctrl-C, SIGTERM or SIGHUP removes the temporary file and leaves any previous
    ``path`` as it was. Parent folders are created.

    Examples
    --------
    >>> p = Path(tempfile.mkdtemp()) / "sub" / "a.bin"
    >>> write_bytes_atomic(p, b"abc").read_bytes()
    b'abc'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with signals_raise():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".partial", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    return path


def _remove(path: Path) -> None:
    """Remove a file, link or folder tree, ignoring errors."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    """The process umask (read once: reading it means setting it for a moment)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- file names from ids --------------------------------------------------------------------

def chronology_file_names(parent_ids: Iterable[str]) -> pd.DataFrame:
    """The workbook file name of each parent's chronology: ``parent_id``, ``file``.

    An id that is a safe file name (:data:`SAFE_ID`: letters, digits, ``_``, ``-``, at most 64
    characters) gives ``chronology_<id>.xlsx``. Any other id (path separators, dots, spaces,
    other characters, too long), and ids that differ only in upper/lower case (one file on
    Windows and macOS), give ``chronology_<id with unsafe characters as _, first 40>_<first 12
    hex of SHA-256 of the id>.xlsx``. Names are unique; the report writes this table as
    ``analyst/chronologies/index.csv``.

    Examples
    --------
    >>> chronology_file_names(["P000013", "../../../x", "a", "A"])["file"].tolist()
    ['chronology_P000013.xlsx', 'chronology__________x_0274b71897ca.xlsx', 'chronology_a_ca978112ca1b.xlsx', 'chronology_A_559aead08264.xlsx']
    """
    ids = pd.Series([str(i) for i in parent_ids], dtype=object)
    safe = ids.map(lambda i: SAFE_ID.fullmatch(i) is not None).astype(bool)
    folded = ids.str.lower()
    safe &= ~(folded.duplicated(keep=False) & safe)
    hashed = ids[~safe].map(
        lambda i: re.sub(r"[^A-Za-z0-9_-]", "_", i)[:40] + "_"
        + hashlib.sha256(i.encode("utf-8", errors="surrogatepass")).hexdigest()[:HASH_HEX]
    )
    stem = ids.where(safe, hashed)
    files = "chronology_" + stem + ".xlsx"
    if files.str.lower().duplicated().any():  # pragma: no cover - a contrived id equal to another's hashed name
        raise OutputError("two parent ids give the same chronology file name")
    return pd.DataFrame({"parent_id": ids.to_numpy(), "file": files.to_numpy()})


def inside(folder: str | Path, name: str) -> Path:
    """``folder / name``, checked to lie inside ``folder`` (no ``..``, no absolute name).

    Examples
    --------
    >>> inside("out", "chronology_P1.xlsx").as_posix()
    'out/chronology_P1.xlsx'
    >>> inside("out", "../x.xlsx")
    Traceback (most recent call last):
    ...
    neglect_analysis.outputs.OutputError: refusing to write '../x.xlsx' outside out
    """
    folder = Path(folder)
    path = folder / name
    base = folder.resolve()
    if path.resolve().parent != base or Path(name).name != name:
        raise OutputError(f"refusing to write {name!r} outside {folder}")
    return path
