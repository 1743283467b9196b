"""The build manifest: what each output was made from, so unchanged documents are skipped.

`<out>/.tei-tools-manifest.json` records, for each document and format, one digest of
every input of that output — the TEI file, the format's stylesheets with everything they
import, include or read (common.xsl, html.xsl for the EPUB, the map data, CSS, script),
the schema files, the tool (its version and the hash of its Python sources) and
SOURCE_DATE_EPOCH — and the SHA-256 of each file written. An output is up to date when
its digest is unchanged and its files are still the files written.

The manifest is a local cache, not part of the edition: it is hidden (a dot file, which
deposit packages and the dist/ comparison leave out) and git-ignored, so a fresh clone
rebuilds once. It holds each output's modification time (to avoid re-hashing outputs), so
it could not be byte-identical between builds anyway; keys are sorted all the same.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from tei_tools import __version__
from tei_tools.editions import output_name

MANIFEST_NAME = ".tei-tools-manifest.json"
MANIFEST_FORMAT = 1

# References from one stylesheet to another file, which becomes an input of the format.
_IMPORT = re.compile(r"<xsl:(?:import|include)\s+href\s*=\s*[\"']([^\"']+)[\"']")
# A literal argument of a call is found first, then the function's name before it: one
# pattern for both tried four alternatives at every character (5 ms for xslt/, a build's
# critical path; this way 0.3 ms).
_LITERAL_ARGUMENT = re.compile(r"\(\s*[\"']([^\"']+)[\"']")
_READING_FUNCTION = re.compile(r"(?<![\w.:-])(?:fn:)?(?:unparsed-text(?:-lines)?|doc|document|json-doc)$")
_PACKAGE_DIR = Path(__file__).resolve().parent


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stylesheet_closure(names: Iterable[str], xslt_dir: Path) -> list[Path]:
    """The stylesheets and every file they import, include or read, transitively."""
    pending = [xslt_dir / name for name in names]
    seen: dict[Path, None] = {}
    while pending:
        path = pending.pop().resolve()
        if path in seen or not path.is_file():
            continue
        seen[path] = None
        if path.suffix in (".xsl", ".xslt"):
            pending.extend(path.parent / ref for ref in _references(path))
    return sorted(seen)


# A stylesheet's references by (path, size, modification time): a build asks for the
# closures twice (its plan, then which formats a forked child renders), a watch process
# at every save.
_references_seen: dict[tuple[Path, int, int], list[str]] = {}


def _references(path: Path) -> list[str]:
    """The files one stylesheet imports, includes or reads."""
    status = path.stat()
    key = (path, status.st_size, status.st_mtime_ns)
    if key not in _references_seen:
        text = path.read_text(encoding="utf-8", errors="replace")
        _references_seen[key] = _IMPORT.findall(text) + _files_read(text)
    return _references_seen[key]


def _files_read(text: str) -> list[str]:
    """The files a stylesheet reads with a literal URI: doc('…'), unparsed-text('…'), …"""
    return [call.group(1) for call in _LITERAL_ARGUMENT.finditer(text)
            if _READING_FUNCTION.search(text, max(0, call.start() - 24), call.start())]


def tool_fingerprint() -> str:
    """The tool's version and its Python sources: a code change can change every output."""
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(_PACKAGE_DIR.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


@dataclass
class FormatInputs:
    """The inputs every document of one format shares, by label, with their hashes."""

    name: str
    files: dict[str, str]  # label ("xslt/html.xsl", "schema/edition.rng", "tool", …) -> SHA-256

    @property
    def digest(self) -> str:
        return sha256_bytes(json.dumps(self.files, sort_keys=True).encode())


def shared_inputs(
    formats: Sequence,
    xslt_dir: Path,
    schema_files: Sequence[Path],
    known_formats: Sequence = (),
) -> dict[str, FormatInputs]:
    """The shared inputs of each format (objects with .name and .stylesheets).

    `known_formats` are every format the tool has: a file one of them uses is theirs, so
    that a format's inputs do not depend on which other formats this build asked for.

    A data file of the stylesheet folder (CSS, script, data) that no stylesheet refers to
    — one a renderer may read itself — is counted as an input of every format: a change
    nobody can attribute rebuilds everything rather than nothing. Stylesheets no format
    refers to (dc.xsl and mets.xsl, used by deposit packages) are not inputs of a format:
    a renderer runs only the stylesheets its OutputFormat lists.
    """
    tool = tool_fingerprint()
    common = {f"schema/{p.name}": sha256_file(p) for p in schema_files}
    common["tool"] = tool
    common["SOURCE_DATE_EPOCH"] = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    closures = {f.name: stylesheet_closure(f.stylesheets, xslt_dir) for f in formats}
    attributed = {p for closure in closures.values() for p in closure}
    for other in known_formats:
        if other.name not in closures:
            attributed.update(stylesheet_closure(other.stylesheets, xslt_dir))
    unattributed = [p for p in _files_under(xslt_dir) if p not in attributed and p.suffix not in (".xsl", ".xslt")]
    result = {}
    for output_format in formats:
        files = dict(common)
        for path in closures[output_format.name] + unattributed:
            files[f"xslt/{_relative(path, xslt_dir)}"] = sha256_file(path)
        result[output_format.name] = FormatInputs(output_format.name, files)
    return result


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p.resolve() for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    )


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path)


def document_digest(source_sha: str, stem: str, inputs: FormatInputs) -> str:
    """The digest of everything one output of one document is made from."""
    return sha256_bytes(f"{source_sha}\n{stem}\n{inputs.digest}".encode())


@dataclass
class Manifest:
    """The manifest of one output folder: document stem -> format -> record."""

    path: Path
    documents: dict[str, dict] = field(default_factory=dict)
    shared: dict[str, dict[str, str]] = field(default_factory=dict)
    # (stem, format) recorded by this build: what `save` writes over the manifest on disk.
    recorded: set[tuple[str, str]] = field(default_factory=set, repr=False, compare=False)
    # Documents whose outputs this build removed (their source is gone): `save` drops them.
    forgotten: set[str] = field(default_factory=set, repr=False, compare=False)

    @classmethod
    def load(cls, out_dir: str | Path) -> "Manifest":
        """The folder's manifest; an empty one when it is missing, unreadable or of another version."""
        path = Path(out_dir) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(data, dict) or data.get("manifest") != MANIFEST_FORMAT:
            return cls(path)
        return cls(path, dict(data.get("documents") or {}), dict(data.get("shared") or {}))

    def is_current(self, stem: str, format_name: str, digest: str) -> bool:
        """The recorded output was made from these inputs and its files are still in place."""
        record = self.documents.get(stem, {}).get(format_name)
        if not record or record.get("inputs") != digest:
            return False
        return all(_unchanged(self.path.parent / name, info) for name, info in record.get("outputs", {}).items())

    def record(self, stem: str, source: str, format_name: str, digest: str, outputs: Mapping[str, dict],
               identifier: str | None = None) -> None:
        """Remember what one format of one document was made from, and what it wrote.

        `outputs`: file name -> describe_output(...) of each file written; `identifier`:
        the edition's, so that a later build that skips the document can still compare it.
        """
        entry = self.documents.setdefault(stem, {})
        entry["source"] = source
        _set_identifier(entry, identifier)
        entry[format_name] = {"inputs": digest, "outputs": dict(sorted(outputs.items()))}
        self.recorded.add((stem, format_name))

    def identifier(self, stem: str) -> str | None:
        """The edition identifier recorded for a document, if any."""
        value = self.documents.get(stem, {}).get("identifier")
        return value if isinstance(value, str) else None

    def forget(self, stem: str) -> None:
        """Drop a document from the manifest (its outputs are gone)."""
        self.documents.pop(stem, None)
        self.forgotten.add(stem)

    @property
    def changed(self) -> bool:
        """This build recorded or forgot something that `save` must write."""
        return bool(self.recorded or self.forgotten)

    def save(self) -> None:
        """Write what this build recorded over the manifest as it is now on disk, the output
        folder locked meanwhile: two builds into one folder at once (an editor's watch and a
        build by hand) each keep what the other recorded, instead of the last one's alone."""
        from tei_tools.fsutil import atomic_write

        with _folder_locked(self.path.parent):
            current = Manifest.load(self.path.parent)
            for stem in self.forgotten:
                current.documents.pop(stem, None)
            for stem, format_name in sorted(self.recorded):
                entry = current.documents.setdefault(stem, {})
                entry["source"] = self.documents[stem]["source"]
                _set_identifier(entry, self.documents[stem].get("identifier"))
                entry[format_name] = self.documents[stem][format_name]
            data = {"manifest": MANIFEST_FORMAT, "tool": __version__, "shared": self.shared, "documents": current.documents}
            atomic_write(self.path, (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))


def _set_identifier(entry: dict, identifier: str | None) -> None:
    """A document's edition identifier in its entry; a document that no longer gives one
    must not keep its old one."""
    if identifier:
        entry["identifier"] = identifier
    else:
        entry.pop("identifier", None)


@contextmanager
def _folder_locked(folder: Path):
    """An exclusive lock on the folder itself (flock on its descriptor: no lock file left
    behind); no lock where the system has none."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder that can be written but not read: unlocked, as before
        yield
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


@dataclass
class Orphan:
    """A document built into the folder whose source file no longer exists."""

    stem: str
    source: Path
    outputs: list[Path]  # its recorded output files still in the folder


def orphans(manifest: Manifest, building: Iterable[Path], folders: Iterable[Path]) -> list[Orphan]:
    """Documents recorded in the manifest whose source, once inside one of `folders`, is gone.

    Conservative, since what it finds is deleted: a document being built (by its name:
    a source moved to another folder writes the same outputs), a source recorded by a
    relative path (the manifests of tei-tools before 1.5), a source outside the folders
    (another command built it from elsewhere) or one still on disk is never an orphan.
    """
    names = {output_name(path) for path in building}
    roots = [Path(os.path.abspath(folder)) for folder in folders]
    found = []
    for stem, entry in sorted(manifest.documents.items()):
        source = Path(str(entry.get("source", "")))
        if stem.casefold() in names or not source.is_absolute() or source.exists() or source.is_symlink():
            continue
        if not any(root in source.parents for root in roots):
            continue
        # Only a plain file name in the folder, and one of this document's own (its stem):
        # a manifest edited to name "../x", "/x" or another document's outputs must not
        # make the build delete a file elsewhere, or a live document's edition.
        files = sorted({manifest.path.parent / name for record in entry.values() if isinstance(record, dict)
                        for name in record.get("outputs", {}) if _plain_name(name) and _named_for(name, stem)})
        found.append(Orphan(stem, source, [f for f in files if f.exists()]))
    return found


def _named_for(name: str, stem: str) -> bool:
    """Whether an output's file name is that of the document `stem` ("x.html" for "x")."""
    return output_name(name) == stem.casefold()  # a stem, not a file name: "a.v2" keeps its dot


def _plain_name(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and os.sep not in name and (os.altsep or "/") not in name


@contextmanager
def locked_on_disk(out_dir: Path):
    """The folder's manifest as it is on disk, the folder locked meanwhile: what another
    build into the folder recorded since this one loaded it is seen, and it cannot record
    more until the block ends."""
    with _folder_locked(Path(out_dir)):
        yield Manifest.load(out_dir)


def is_as_written(manifest: Manifest, stem: str, path: Path) -> bool:
    """The output file is still the one the manifest recorded for the document."""
    for record in manifest.documents.get(stem, {}).values():
        if isinstance(record, dict) and path.name in record.get("outputs", {}):
            return _unchanged(path, record["outputs"][path.name])
    return False


def describe_output(path: Path, data: bytes) -> dict:
    """An output's hash, size and modification time (the time only to avoid re-hashing)."""
    info = {"sha256": sha256_bytes(data), "size": len(data)}
    try:
        info["mtime_ns"] = path.stat().st_mtime_ns
    except OSError:
        pass
    return info


def _unchanged(path: Path, info: Mapping) -> bool:
    """The file is the one written: same size and time, or (when touched) the same bytes."""
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size != info.get("size"):
        return False
    if stat.st_mtime_ns == info.get("mtime_ns"):
        return True
    try:
        return sha256_file(path) == info.get("sha256")
    except OSError:
        return False
