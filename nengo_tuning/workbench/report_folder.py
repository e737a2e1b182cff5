"""The report folder: written completely or not at all, and only over a report.

`ReportFolder` writes a report into a temporary folder beside the target (a
short name, ``.nt-PID-HEX``) and moves it into place when it is complete. Each
report holds a manifest (:data:`MANIFEST_NAME`) listing the files it wrote with
their sizes and SHA-256 digests; a rerun replaces a folder only when it holds
exactly such a report's files, unchanged, and refuses anything else, naming
the first foreign files and touching nothing.

The swap (the earlier report moved aside, the new one moved in) runs with
SIGINT and SIGTERM held off (:func:`.held_signals`). A run killed outright
(SIGKILL, power loss) leaves its temporary folders behind; the next run on the
same parent folder removes them once their process is gone, and first puts back
an earlier report that was moved aside but not replaced.

An existing mount point (a Docker volume) cannot be renamed: the report is then
built in a temporary folder inside it and its files are moved in at the end
(signals held off as well, but not atomic against SIGKILL).
"""

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
from pathlib import Path

from nengo_tuning.workbench.held_signals import held_signals
from nengo_tuning.workbench.options import UsageError

__all__ = ["MANIFEST_NAME", "ReportFolder", "foreign_files"]

#: The file in which a report lists the files it wrote.
MANIFEST_NAME = ".nengo-tuning-manifest"
_MANIFEST_FORMAT = "nengo-tuning report manifest 1"
#: Temporary folders: ``.nt-PID-HEX`` (being written), ``.nt-PID-HEX-old`` (the
#: earlier report, moved aside during the swap).
_TEMPORARY = re.compile(r"^\.nt-(?P<pid>[0-9]+)-(?P<token>[0-9a-f]{8})(?P<old>-old)?$")
#: Foreign files named in a refusal, at most.
_NAMED_FOREIGN = 5


def _digest(path):
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def _read_manifest(folder):
    """The manifest of ``folder`` as a dict, or None if it has none (or not ours)."""
    path = folder / MANIFEST_NAME
    if path.is_symlink() or not path.is_file():
        return None
    try:
        with open(path, encoding="utf-8") as file:
            manifest = json.load(file)
    except (OSError, ValueError):
        return None
    valid = (
        isinstance(manifest, dict)
        and manifest.get("format") == _MANIFEST_FORMAT
        and isinstance(manifest.get("files"), dict)
    )
    return manifest if valid else None


def _record(path):
    return {"size": path.stat().st_size, "sha256": _digest(path)}


def _write_manifest(folder, target_name, files):
    manifest = {
        "format": _MANIFEST_FORMAT,
        "folder": target_name,
        "files": {
            name: {
                "size": (folder / name).stat().st_size,
                "sha256": _digest(folder / name),
            }
            for name in files
        },
    }
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False)
    (folder / MANIFEST_NAME).write_text(text + "\n", encoding="utf-8")


def _is_unchanged(path, record):
    if path.is_symlink() or not path.is_file():
        return False
    try:
        return path.stat().st_size == record.get("size") and _digest(
            path
        ) == record.get("sha256")
    except OSError:
        return False


def foreign_files(folder):
    """The entries of ``folder`` that are not an earlier report's, unchanged.

    Parameters
    ----------
    folder : Path
        An existing folder.

    Returns
    -------
    names : list of str
        Sorted; empty when the folder is empty or holds exactly the files its
        manifest lists, each with the size and digest recorded (a listed file
        that is missing is not foreign). A changed file is named with
        ``" (changed)"`` after it.
    """
    names = sorted(entry.name for entry in folder.iterdir())
    if not names:
        return []
    manifest = _read_manifest(folder)
    if manifest is None:
        return names
    foreign = []
    for name in names:
        if name == MANIFEST_NAME:
            continue
        record = manifest["files"].get(name)
        if not isinstance(record, dict):
            foreign.append(name)
        elif not _is_unchanged(folder / name, record):
            foreign.append(f"{name} (changed)")
    return foreign


def _process_is_gone(pid):
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):
        return False  # alive (another user's), or not a pid we can judge
    return False


def _is_plain_name(name):
    return name not in ("", ".", "..") and "/" not in name and "\0" not in name


def _remove_stale_temporaries(parent):
    """Clean up after runs killed outright: restore, then remove, their folders.

    Only folders with the temporary names, holding a manifest, of processes that
    are gone are touched; anything else is left as it is.
    """
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    stale = {}
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if not match or entry.is_symlink() or not entry.is_dir():
            continue
        if not _process_is_gone(int(match["pid"])):
            continue
        if _read_manifest(entry) is not None:
            stale[entry.name] = entry
        else:
            with contextlib.suppress(OSError):
                entry.rmdir()  # killed before its manifest: empty, or not ours
    for name, entry in sorted(stale.items()):
        if not name.endswith("-old"):
            continue
        new = stale.get(name.removesuffix("-old"))
        target_name = _read_manifest(new).get("folder") if new is not None else None
        if isinstance(target_name, str) and _is_plain_name(target_name):
            target = parent / target_name
            if not (target.exists() or target.is_symlink()):
                with contextlib.suppress(OSError):
                    os.rename(entry, target)  # the swap was cut: put it back
                continue
            if new is not None:
                continue  # something else is there now: keep the earlier report
        shutil.rmtree(entry, ignore_errors=True)
    for name, entry in stale.items():
        if not name.endswith("-old"):
            shutil.rmtree(entry, ignore_errors=True)


def _name_limit(folder):
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _existing_ancestor(path):
    for parent in path.parents:
        try:
            if parent.is_dir():
                return parent
        except OSError:  # e.g. a name too long (Python 3.11 raises it)
            continue
    return Path(path.anchor or "/")


def cannot_use(path, error):
    """The message for an OSError met while checking ``path`` (a long path
    shortened in the middle)."""
    shown = str(path)
    shown = shown if len(shown) <= 120 else f"{shown[:60]}...{shown[-30:]}"
    return f"cannot use {shown}: {error.strerror or error}"


def name_too_long(path):
    """Why a part of ``path`` (absolute) is longer than the file system allows
    (checked against the nearest existing folder, before any other stat), or
    None. For ``--output`` and ``--json``."""
    limit = _name_limit(_existing_ancestor(path))
    for part in path.parts[1:]:
        length = len(os.fsencode(part))
        if length > limit:
            shown = f"{part[:30]!r}..." if len(part) > 30 else repr(part)
            return (
                f"the name {shown} is {length} bytes long; this file system "
                f"allows at most {limit}"
            )
    return None


class ReportFolder:
    """The report's folder, replaced only when the new report is complete.

    Use as a context manager: ``path`` is the temporary folder to write into;
    `commit` moves it into place (replacing an earlier report); leaving the block
    without committing (an error, Ctrl-C, SIGTERM) removes it.

    Parameters
    ----------
    target : str or Path
        The report folder. It may be new, empty or an earlier report; anything
        else there is refused with a `.UsageError` naming ``--output``, before
        anything is written.
    """

    def __init__(self, target):
        # lexically normalised ("a/../b" is "b"), symbolic links left as they are
        self.target = Path(os.path.abspath(target))
        self.path = None
        self.committed = False
        self._old = None
        self._in_place = False

    def _refuse(self, problem):
        raise UsageError(f"argument --output: {problem}")

    def _check_name(self):
        """Refuse a name (the folder's, or a folder's above it) that is too long."""
        problem = name_too_long(self.target)
        if problem:
            self._refuse(problem)

    def check(self):
        """Refuse, before anything runs, a target the report cannot replace."""
        try:
            self._check_name()
            self._check_target()
        except OSError as error:  # e.g. a path longer than the system allows
            self._refuse(cannot_use(self.target, error))

    def _check_target(self):
        target = self.target
        for parent in target.parents:
            if (parent.exists() or parent.is_symlink()) and not parent.is_dir():
                self._refuse(f"{target} is below {parent}, which is not a folder")
        if target.is_symlink():
            self._refuse(
                f"{target} is a symbolic link (to {os.readlink(target)}); name the "
                "folder itself"
            )
        if not target.exists():
            return
        if not target.is_dir():
            self._refuse(f"{target} exists and is not a folder")
        here = Path(os.path.realpath(os.getcwd()))
        real = Path(os.path.realpath(target))
        if real == here or real in here.parents:
            where = "is" if real == here else "holds"
            self._refuse(
                f"{target} {where} the current folder; name a folder inside it, "
                "e.g. -o report"
            )
        foreign = foreign_files(target)
        if foreign:
            shown = ", ".join(foreign[:_NAMED_FOREIGN])
            more = len(foreign) - _NAMED_FOREIGN
            shown += f" and {more} more" if more > 0 else ""
            self._refuse(
                f"{target} holds files that nengo-tuning did not write: {shown}; "
                "nothing was changed (name a new or empty folder, or an earlier "
                "report, which is replaced)"
            )
        self._in_place = os.path.ismount(target)

    def __enter__(self):
        self.check()
        parent = self.target.parent
        _remove_stale_temporaries(parent)
        if self.target.is_dir() and not self.target.is_symlink():
            _remove_stale_temporaries(self.target)  # a mount point's own
        self.check()  # again: a report may have been put back
        where = self.target if self._in_place else parent
        name = f".nt-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            where.mkdir(parents=True, exist_ok=True)
            (where / name).mkdir()
            self.path = where / name
            _write_manifest(self.path, self.target.name, [])
        except OSError as error:
            if self.path is not None:
                shutil.rmtree(self.path, ignore_errors=True)
                self.path = None
            reason = error.strerror or str(error)
            self._refuse(f"cannot write in {where}: {reason}")
        return self

    def commit(self):
        """Move the complete report into place, replacing an earlier one.

        Returns
        -------
        target : Path
            The report folder.
        """
        files = sorted(p.name for p in self.path.iterdir() if p.name != MANIFEST_NAME)
        try:
            _write_manifest(self.path, self.target.name, files)
        except OSError as error:
            self._refuse(f"cannot write in {self.path.parent}: {error.strerror}")
        with held_signals():
            if self._in_place:
                self._move_files_in(files)
            else:
                self._swap()
            self.path = None
            self.committed = True
        self._remove_old()
        return self.target

    def _swap(self):
        if self.target.exists():
            self._old = self.path.with_name(self.path.name + "-old")
        try:
            if self._old is not None:
                os.rename(self.target, self._old)
            os.rename(self.path, self.target)
        except OSError as error:
            if self._old is not None and not self.target.exists():
                os.rename(self._old, self.target)  # put the earlier report back
                self._old = None
            self._refuse(f"cannot replace {self.target}: {error.strerror or error}")

    def _move_files_in(self, files):
        """Replace a mount point's report file by file (it cannot be renamed)."""
        earlier = _read_manifest(self.target)
        listed = set((earlier or {"files": {}})["files"])
        try:
            # only entries of the folder itself, checked unchanged by `check`: a
            # manifest's names are never taken as paths
            for entry in self.target.iterdir():
                if entry.name in listed and entry.is_file() and not entry.is_symlink():
                    entry.unlink()
            for name in [*files, MANIFEST_NAME]:
                os.replace(self.path / name, self.target / name)
            self.path.rmdir()
        except OSError as error:
            self._refuse(f"cannot write in {self.target}: {error.strerror or error}")

    def _remove_old(self):
        if self._old is not None:
            shutil.rmtree(self._old, ignore_errors=True)
            self._old = None

    def __exit__(self, *exc_info):
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None
        self._remove_old()
        return False
