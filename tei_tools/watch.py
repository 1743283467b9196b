"""`tei-tools watch`: rebuild what changed whenever an editor saves.

The watcher (watchdog, which uses inotify on Linux) listens to the folders of the TEI
files, the stylesheets and the schema. After a change it waits for a short quiet spell
(editors save through temporary files and renames: one save is several events), then runs
an incremental build in this process: the manifest decides what is out of date, so a
saved TEI file rebuilds that document and a saved stylesheet rebuilds every document of
the formats that use it. Saxon, the compiled stylesheets and the schemas stay warm
between builds; a changed stylesheet or schema is compiled again (tei_tools.parallel).

Nothing here prints: each build's report goes to `on_build`. `watch` runs until `stop` is
set or `max_builds` builds are done, so a test can run it in a thread.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

# How long the files must be quiet before a build starts. Short enough that a save is
# rebuilt well within half a second, long enough to see a save's burst of events as one.
DEBOUNCE_SECONDS = 0.08
# How often the watched folders are looked at when nothing happens: a folder removed and
# made again (a checkout, `rm -rf` and a copy) is a new folder, which the old watch does
# not see, so it is watched again.
RECHECK_SECONDS = 0.5
# Events that mean a file's content may have changed. Not "opened" or "closed_no_write":
# the build reads the files it watches, and must not set itself off.
WRITE_EVENTS = frozenset({"created", "modified", "moved", "deleted", "closed"})


@dataclass
class WatchedBuild:
    """One build the watcher ran: why, and what it gave."""

    number: int
    changed: list[Path]  # the files whose changes started it (empty for the first build)
    report: object  # tei_tools.parallel.IncrementalReport
    seconds: float


class _Changes:
    """Collects file events from watchdog's thread; the watch loop takes them in batches."""

    def __init__(self, relevant: Callable[[Path], bool]):
        self._relevant = relevant
        self._paths: dict[Path, None] = {}
        self._last = 0.0
        self._condition = threading.Condition()

    def dispatch(self, event) -> None:  # watchdog's handler interface
        if getattr(event, "is_directory", False) or event.event_type not in WRITE_EVENTS:
            return
        for attribute in ("src_path", "dest_path"):
            raw = getattr(event, attribute, None)
            if raw and self._relevant(Path(raw)):
                with self._condition:
                    self._paths[Path(raw)] = None
                    self._last = time.monotonic()
                    self._condition.notify_all()

    def take(self, stop: threading.Event, debounce: float, poll: float = 0.05,
             timeout: float | None = None) -> list[Path]:
        """Wait for changes, then for `debounce` seconds without any; return them ([] if
        stopped, or if none came within `timeout` seconds)."""
        waited = 0.0
        with self._condition:
            while not self._paths:
                if stop.is_set() or (timeout is not None and waited >= timeout):
                    return []
                self._condition.wait(poll)
                waited += poll
            while time.monotonic() - self._last < debounce and not stop.is_set():
                self._condition.wait(debounce)
            paths, self._paths = list(self._paths), {}
            return paths


def watch(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    formats: Sequence = (),
    *,
    on_build: Callable[[WatchedBuild], None] | None = None,
    stop: threading.Event | None = None,
    max_builds: int | None = None,
    debounce: float = DEBOUNCE_SECONDS,
    ready: threading.Event | None = None,
) -> int:
    """Build once, then rebuild after each change until stopped; return the number of builds.

    `paths` are TEI files or folders (as for `tei-tools build`; folders are searched
    again at each build, so a new file is picked up). `ready` is set once the watcher
    listens, after the first build.
    """
    from watchdog.observers import Observer

    from tei_tools import saxon, validate
    from tei_tools.editions import default_edition_dir
    from tei_tools.fsutil import source_date_epoch
    from tei_tools.transform import check_output_dir, resolve_formats

    chosen = resolve_formats(formats) if not formats or isinstance(formats[0], str) else list(formats)
    source_date_epoch()  # an unusable one stops the command at once, not every build after
    given = [Path(p) for p in paths] or [default_edition_dir()]  # before the output folder is made
    out = check_output_dir(out_dir)
    stop = stop or threading.Event()
    tool_dirs = [saxon.XSLT_DIR.resolve(), validate.RNG_PATH.parent.resolve(), validate.SCH_PATH.parent.resolve()]
    changes = _Changes(lambda p: _relevant(p, out, tool_dirs))

    builds = 0

    def run(changed: list[Path]) -> None:
        nonlocal builds
        builds += 1
        started = time.monotonic()
        report = _build(given, out, chosen)
        if on_build is not None:
            on_build(WatchedBuild(builds, changed, report, time.monotonic() - started))

    observer = Observer()
    folders = _folders(given, tool_dirs)
    watched = _schedule(observer, changes, folders)
    observer.start()
    try:
        run([])
        if ready is not None:
            ready.set()
        while not stop.is_set() and (max_builds is None or builds < max_builds):
            changed = changes.take(stop, debounce, timeout=RECHECK_SECONDS)
            made_again = [f for f in folders if _identity(f) not in (None, watched.get(f))]
            if made_again:  # the old watch sees nothing of the new folder: watch again, and build
                observer.unschedule_all()
                watched = _schedule(observer, changes, folders)
                changed += made_again
            if changed:
                run(changed)
    finally:
        observer.stop()
        observer.join()
    return builds


def _schedule(observer, handler, folders: list[Path]) -> dict[Path, tuple[int, int] | None]:
    """Watch each folder that exists; return each folder's identity as it was watched."""
    watched = {}
    for folder in folders:
        watched[folder] = _identity(folder)
        if watched[folder] is not None:
            observer.schedule(handler, str(folder), recursive=True)
    return watched


def _identity(folder: Path) -> tuple[int, int] | None:
    """(device, inode) of a folder, None when it is not there: a folder made again has a new one."""
    try:
        found = folder.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _build(given: list[Path], out: Path, formats):
    """An incremental build in this process (warm Saxon); a usage problem becomes a failed report."""
    from tei_tools.errors import TeiToolsError
    from tei_tools.parallel import IncrementalReport, build_many
    from tei_tools.transform import DocumentResult
    from tei_tools.editions import edition_files, searched_folders

    try:
        files = edition_files([p for p in given if p.exists()] or given)
        # A deleted or renamed TEI file in a watched folder takes its outputs with it.
        return build_many(files, out, formats, jobs=1, prune_under=searched_folders(given))
    except TeiToolsError as error:  # e.g. the file being watched was deleted: keep watching
        return IncrementalReport(results=[DocumentResult(given[0], error=error)])


def _folders(given: Iterable[Path], tool_dirs: Iterable[Path]) -> list[Path]:
    """The folders to listen to: each TEI file's folder, each given folder, the tool's folders."""
    folders = {(p if p.is_dir() else p.parent).resolve() for p in given}
    folders.update(d for d in tool_dirs if d.is_dir())
    # A folder inside another one already watched recursively adds nothing.
    return sorted(f for f in folders if not any(f != o and o in f.parents for o in folders))


def _relevant(path: Path, out: Path, tool_dirs: list[Path]) -> bool:
    """A change that can change an output: not an output, not an editor's or our temporary file."""
    name = path.name
    if name.startswith(".") or name.endswith(("~", ".tmp", ".swp", ".swx")) or name.startswith("#"):
        return False
    resolved = path.resolve()
    if _under(resolved, [out.resolve()]):
        return False
    return name.endswith(".xml") or _under(resolved, tool_dirs)


def _under(path: Path, folders: Iterable[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved == f or f in resolved.parents for f in folders)
