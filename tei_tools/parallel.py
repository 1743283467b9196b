"""Building many documents: incremental (the manifest decides), in parallel (a process pool).

`build_many` plans the build (which formats of which documents are out of date, see
tei_tools.manifest), builds what is needed and records it. With more than one document to
build and `jobs` > 1 it uses worker processes (tei_tools.workers); each worker creates one
Saxon processor, compiles each stylesheet and loads the schemas once, when it starts, then
builds document after document (and, with a memory limit, is replaced by a new worker
before its memory would pass the limit). Processes, not threads: the validator's
cached schemas and the Saxon processor are not thread-safe. A single document is built
without a pool, which would cost more than the build: in this process, its heaviest
format meanwhile in a forked child when that is safe (tei_tools.forked).

Results come back in the order the documents were given, whatever order the workers
finish in. One document's failure is recorded with its path and does not stop the others.
Nothing here prints: callers pass `on_result` to hear of each document as it is done.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from tei_tools.errors import BuildError, OutputError, TeiToolsError, freeze_error, internal_error, shown_path, thaw_error
from tei_tools.fsutil import remove_abandoned_temporaries, source_date_epoch
from tei_tools.editions import check_outputs_spare_inputs, distinct_documents
from tei_tools.transform import FORMATS, BuildReport, DocumentResult, OutputFormat, as_formats, check_output_dir

ResultCallback = Callable[[DocumentResult, int, int], None]  # (result, documents done, documents in all)


@dataclass
class IncrementalReport(BuildReport):
    """A BuildReport that also says which documents were up to date and left alone."""

    skipped: list[Path] = field(default_factory=list)
    # Outputs removed because their source file is gone: (output, its source).
    removed: list[tuple[Path, Path]] = field(default_factory=list)
    # Problems of the build's own records, not of a document (`path:line:col: warning: …`).
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Task:
    index: int
    path: Path
    formats: list[OutputFormat]
    digests: dict[str, str]  # format name -> digest of its inputs


@dataclass
class _Outcome:
    """What a worker sends back: the result, and a description of each file written."""

    result: DocumentResult
    written: dict[str, dict[str, dict]]  # format name -> file name -> describe_output(...)


# ---------------------------------------------------------------- the build


def build_paths(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    formats: Sequence[OutputFormat] | Sequence[str] = (),
    **options,
) -> IncrementalReport:
    """`tei-tools build PATHS`: the TEI files the paths name (files, the *.xml of folders,
    edition/ when none is given; editions.edition_files) built by build_many, and the
    outputs of documents gone from the searched folders removed. No file to build is a
    usage error. `options` are build_many's."""
    from tei_tools.editions import edition_files, searched_folders

    files = edition_files(paths, required_for="build")
    return build_many(files, out_dir, formats, prune_under=searched_folders(paths), **options)


def build_many(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    formats: Sequence[OutputFormat] | Sequence[str] = (),
    *,
    jobs: int | None = None,
    force: bool = False,
    on_result: ResultCallback | None = None,
    worker_memory_mib: float | None = None,
    prune_under: Sequence[str | Path] = (),
) -> IncrementalReport:
    """Build the documents' outputs that are out of date (all of them with `force`).

    Raises only for problems of the whole build (unknown format, unwritable output folder,
    an unusable SOURCE_DATE_EPOCH); a document's failure is in its DocumentResult. `jobs` defaults to the machine's CPUs.
    `worker_memory_mib`: a worker process that would pass this resident memory with one
    more document is replaced by a new one (tei_tools.workers); None: no limit.
    `prune_under`: the folders the documents were found in; the outputs of a document once
    built from one of them whose file is gone (deleted, renamed) are removed, so that the
    output folder holds the editions of the sources there are.
    """
    from tei_tools.manifest import Manifest

    chosen = as_formats(formats)
    source_date_epoch()  # checked once here, not as a failure of every document
    documents = distinct_documents(paths)
    out = check_output_dir(out_dir)
    check_outputs_spare_inputs(documents, out, [f.suffix for f in chosen if f.suffix])
    remove_abandoned_temporaries(out)
    manifest = Manifest.load(out)
    tasks, skipped = _plan(documents, chosen, manifest, force)
    report = IncrementalReport(results=[None] * len(documents), skipped=[documents[i] for i in skipped])  # type: ignore[list-item]
    done = 0

    def finish(index: int, result: DocumentResult) -> None:
        nonlocal done
        report.results[index] = result
        done += 1
        if on_result is not None:
            on_result(result, done, len(documents))

    for index in skipped:
        finish(index, DocumentResult(documents[index]))
    by_index = {task.index: task for task in tasks}

    def record(index: int, outcome: _Outcome) -> None:
        task = by_index[index]
        outcome = _thawed(outcome)
        for name, files in outcome.written.items():
            manifest.record(task.path.stem, os.path.abspath(task.path), name, task.digests[name], files,
                            identifier=outcome.result.identifier)
        finish(index, outcome.result)

    try:
        _run(tasks, out, jobs, record, worker_memory_mib)
        _remove_orphans(manifest, documents, prune_under, report)
        _warn_of_shared_identifiers(documents, report, manifest)
    finally:
        if manifest.changed:  # a build that wrote nothing leaves the folder as it was
            _save_manifest(manifest, report)
    return report


def _remove_orphans(manifest, documents: list[Path], folders: Sequence[str | Path], report: IncrementalReport) -> None:
    """Remove the outputs of documents whose source is gone; a file changed since it was
    written is not the build's any more, and is left where it is with a warning. The
    outputs are judged by the manifest on disk, the folder locked: another build into the
    folder may have written them again, from a source of its own."""
    from tei_tools.manifest import locked_on_disk, orphans

    found = orphans(manifest, documents, [Path(f) for f in folders])
    if not found:
        return
    with locked_on_disk(manifest.path.parent) as on_disk:
        for orphan in found:
            if on_disk.documents.get(orphan.stem, {}).get("source") != str(orphan.source):
                manifest.documents.pop(orphan.stem, None)  # rebuilt or forgotten meanwhile: not ours to remove
                continue
            if _remove_outputs(on_disk, orphan, report):
                manifest.forget(orphan.stem)


def _remove_outputs(on_disk, orphan, report: IncrementalReport) -> bool:
    """Remove an orphan's outputs; False if one could not be (the next build tries again)."""
    from tei_tools.manifest import is_as_written

    removed_all = True
    for output in orphan.outputs:
        if not is_as_written(on_disk, orphan.stem, output):
            report.warnings.append(f"{output}:0:0: warning: left in place although its source {orphan.source} "
                                   "is gone: it was changed after it was built")
            continue
        try:
            output.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            report.warnings.append(f"{output}:0:0: warning: its source {orphan.source} is gone, but it could "
                                   f"not be removed ({error.strerror or error})")
            removed_all = False
            continue
        report.removed.append((output, orphan.source))
    return removed_all


def _warn_of_shared_identifiers(documents: list[Path], report: IncrementalReport, manifest) -> None:
    """A warning on each document after the first whose edition identifier another document
    of this build has: its EPUB would be taken for the other's book, and `tei-tools package`
    refuses the pair. Identifiers of documents skipped as up to date come from the manifest."""
    from tei_tools.validate import edition_identifier_location, shared_identifier_message

    first_with: dict[str, Path] = {}
    for path, result in zip(documents, report.results):
        if result is None or not result.ok:  # an invalid document was not read as an edition
            continue
        identifier = result.identifier if result.outputs else manifest.identifier(path.stem)
        if not identifier:
            continue
        first = first_with.setdefault(identifier, path)
        if first is not path:
            line, column = edition_identifier_location(path)
            report.warnings.append(f"{shown_path(path)}:{line}:{column}: warning: {shared_identifier_message(identifier, shown_path(first))}")


def _save_manifest(manifest, report: IncrementalReport) -> None:
    """The outputs are written and whole whatever happens here: a manifest that cannot be
    written (a full disk) only means that the next build does again what this one did."""
    try:
        manifest.save()
    except (TeiToolsError, OSError) as error:
        reason = error.reason if isinstance(error, OutputError) else getattr(error, "strerror", None) or str(error)
        report.warnings.append(f"{manifest.path}:0:0: warning: the build's record of its outputs could not be "
                               f"written ({reason}); the next build rebuilds these documents")



def _plan(documents: list[Path], formats: list[OutputFormat], manifest, force: bool) -> tuple[list[_Task], list[int]]:
    """The tasks (document, formats out of date) and the indexes of documents entirely up to date."""
    from tei_tools import saxon, validate
    from tei_tools.manifest import document_digest, sha256_file, shared_inputs

    shared = shared_inputs(formats, saxon.XSLT_DIR, [validate.RNG_PATH, validate.SCH_PATH], list(FORMATS.values()))
    manifest.shared = {name: inputs.files for name, inputs in shared.items()}
    _forget_compiled_if_changed(shared)
    tasks, skipped = [], []
    for index, path in enumerate(documents):
        try:
            # Only a regular file is read here: a pipe would block and a device never end
            # (the build then reports what the file is, as validate does).
            source_sha = sha256_file(path) if path.is_file() else ""
        except OSError:  # built anyway: the build reports why it cannot be read
            source_sha = ""
        digests = {f.name: document_digest(source_sha, path.stem, shared[f.name]) for f in formats}
        stale = [f for f in formats if force or not source_sha or not manifest.is_current(path.stem, f.name, digests[f.name])]
        if stale:
            tasks.append(_Task(index, path, stale, digests))
        else:
            skipped.append(index)
    return tasks, skipped


# The inputs this process's compiled stylesheets and schemas were made from.
_compiled_from: dict[str, str] = {}


def _forget_compiled_if_changed(shared) -> None:
    """A long-lived process (tei-tools watch, an editor's plug-in) compiles edited stylesheets again."""
    from tei_tools import saxon, validate

    files = {label: sha for inputs in shared.values() for label, sha in inputs.files.items()}
    if any(_compiled_from.get(label, sha) != sha for label, sha in files.items()):
        saxon.forget_compiled()
        validate.forget_schemas()
    _compiled_from.update(files)


def _run(tasks: list[_Task], out: Path, jobs: int | None, record: Callable[[int, _Outcome], None],
         worker_memory_mib: float | None = None) -> None:
    from tei_tools.forked import can_split

    allowed = jobs or os.cpu_count() or 1
    workers = min(allowed, len(tasks))
    if len(tasks) == 1 and can_split(tasks[0].formats, allowed):  # one document: no pool (tei_tools.forked)
        record(tasks[0].index, build_task(tasks[0].path, out, tasks[0].formats, split=True))
        return
    if workers <= 1:
        for task in tasks:
            record(task.index, build_task(task.path, out, task.formats))
        return
    _run_pool(tasks, out, workers, record, worker_memory_mib)


def _run_pool(tasks: list[_Task], out: Path, workers: int, record: Callable[[int, _Outcome], None],
              worker_memory_mib: float | None = None) -> None:
    import multiprocessing

    from tei_tools import saxon, validate
    from tei_tools.forked import safe_to_fork
    from tei_tools.workers import run_tasks

    formats = sorted({f for task in tasks for f in task.formats}, key=lambda f: f.name)
    settings = (str(saxon.XSLT_DIR), str(validate.RNG_PATH), str(validate.SCH_PATH), formats)
    # Workers are forked (about a millisecond each, the modules already imported) when this
    # process has not started Saxon's runtime, whose threads do not survive a fork — as in
    # `tei-tools build`. Otherwise (a test process, an editor's plug-in) each worker is a
    # fresh interpreter.
    context = multiprocessing.get_context("fork" if safe_to_fork() else "spawn")

    def lost(task: _Task, why: str) -> _Outcome:
        return _Outcome(DocumentResult(task.path, error=BuildError(f"{task.path}:0:0: error: {why} while building it")), {})

    run_tasks(
        tasks, lambda task: (task.path, out, task.formats),
        job=build_task, setup=start_worker, setup_args=settings, workers=workers, context=context,
        on_result=lambda task, outcome: record(task.index, outcome), on_lost=lost,
        memory_limit_mib=worker_memory_mib,
    )


# ---------------------------------------------------------------- one document (in a worker or here)


def start_worker(xslt_dir: str, rng_path: str, sch_path: str, formats: Sequence[OutputFormat]) -> None:
    """Pool initializer: the parent's stylesheet and schema locations, everything compiled once.

    A stylesheet or schema that does not compile is left for the first document to report,
    with its location, rather than breaking the pool.
    """
    from tei_tools import saxon, validate
    from tei_tools.transform import _resolve

    saxon.XSLT_DIR = Path(xslt_dir)
    validate.RNG_PATH, validate.SCH_PATH = Path(rng_path), Path(sch_path)
    saxon.processor()
    for load_schema in (validate.relaxng, validate.schematron):
        try:
            load_schema()
        except TeiToolsError:  # reported, located, by the first document that needs it
            pass
    for output_format in formats:
        _resolve(output_format.renderer)
        for name in output_format.stylesheets:
            try:
                saxon.stylesheet(name)
            except TeiToolsError:
                pass


def build_task(path: Path, out: Path, formats: Sequence[OutputFormat], split: bool = False) -> _Outcome:
    """Validate one document, render its formats in memory, then write each output atomically.

    `split`: render the heaviest format in a forked child meanwhile (tei_tools.forked).
    """
    try:
        return _frozen(_build(path, out, formats, split))
    except TeiToolsError as error:
        return _frozen(_Outcome(DocumentResult(path, error=error), {}))
    except Exception as exc:  # a bug must not stop the other documents, nor print a traceback
        return _Outcome(DocumentResult(path, error=BuildError(internal_error(f"{path}:0:0", exc))), {})


def _build(path: Path, out: Path, formats: Sequence[OutputFormat], split: bool = False) -> _Outcome:
    from tei_tools.fsutil import atomic_write_all
    from tei_tools.manifest import describe_output
    from tei_tools.transform import load_document, render_formats

    if split:
        from tei_tools.forked import load_and_render

        document, rendered = load_and_render(path, formats)
    else:
        document = load_document(path)
        rendered = render_formats(document, formats)  # nothing written until all succeeded
    # All of the document's outputs or none: a failed write leaves the old ones whole.
    outputs = atomic_write_all((out / file_name, data) for files in rendered.values() for file_name, data in files.items())
    written = {name: {file_name: describe_output(out / file_name, data) for file_name, data in files.items()}
               for name, files in rendered.items()}
    return _Outcome(DocumentResult(path, outputs, document.warnings, identifier=document.identifier), written)


# Errors cross the process boundary frozen (errors.freeze_error).


def _frozen(outcome: _Outcome) -> _Outcome:
    error = outcome.result.error
    if error is not None and not isinstance(error, tuple):
        outcome.result.error = freeze_error(error)  # type: ignore[assignment]
    return outcome


def _thawed(outcome: _Outcome) -> _Outcome:
    if isinstance(outcome.result.error, tuple):
        outcome.result.error = thaw_error(outcome.result.error)
    return outcome
