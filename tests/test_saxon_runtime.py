"""Saxon's runtime made with a bounded young generation (tei_tools.saxon_runtime).

A process makes Saxon's runtime once, so each case runs in a Python process of its own.
"""
from __future__ import annotations

import platform
import struct
import subprocess
import sys
from importlib.metadata import version

import pytest

from tei_tools import saxon_runtime
from tests.conftest import EDITION_DIR, REPO_ROOT

ARTICLE = EDITION_DIR / "mopr-1922-1924.xml"

# The releases whose internals saxon_runtime repeats, on the platform whose wheel it reads.
VERIFIED_HERE = (
    sys.platform.startswith("linux") and platform.machine() == "x86_64"
    and version("saxonche").startswith(saxon_runtime.VERIFIED_RELEASES)
)
needs_verified_saxonche = pytest.mark.skipif(
    not VERIFIED_HERE, reason=f"saxonche {version('saxonche')} on {sys.platform}/{platform.machine()} is not one "
                              f"saxon_runtime was verified with ({', '.join(saxon_runtime.VERIFIED_RELEASES)}x on Linux x86_64)")


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    """`code` in a new Python process (a new Saxon runtime); it fails the test after 120 s."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)


@needs_verified_saxonche
def test_the_options_reach_saxon_s_runtime():
    # A 1 MiB young generation and GraalVM's GC log: a transform of the article is then
    # collected many times, and GraalVM logs each collection on standard error (which
    # saxon.transform would capture: the compiled stylesheet is run directly).
    result = run_python(
        "import sys\n"
        "from tei_tools import saxon, saxon_runtime\n"
        "assert saxon_runtime.start(saxon_runtime.RUNTIME_OPTIONS + ('-XX:+PrintGC', '-XX:MaxNewSize=1048576'))\n"
        "assert saxon_runtime.started() is True\n"
        "output = saxon.stylesheet('text.xsl').transform_to_string(source_file=sys.argv[1])\n"
        "print('TEXT', len(output))\n",
        str(ARTICLE),
    )
    assert result.returncode == 0, result.stderr
    assert "TEXT " in result.stdout
    assert result.stderr.count("Pause Incremental GC") >= 5


@needs_verified_saxonche
def test_a_worker_stays_small_document_after_document():
    # With GraalVM's defaults the same worker passes 200 MiB after 15 builds of the
    # article; with RUNTIME_OPTIONS it stays under 140 (VmHWM: its peak resident memory).
    result = run_python(
        "import sys, tempfile\n"
        "from pathlib import Path\n"
        "from tei_tools import parallel, saxon, saxon_runtime, transform, validate\n"
        "formats = list(transform.FORMATS.values())\n"
        "parallel.start_worker(str(saxon.XSLT_DIR), str(validate.RNG_PATH), str(validate.SCH_PATH), formats)\n"
        "out = Path(tempfile.mkdtemp())\n"
        "for _ in range(20):\n"
        "    assert parallel.build_task(Path(sys.argv[1]), out, formats).result.error is None\n"
        "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
        "print('STARTED', saxon_runtime.started(), 'PEAK_KIB', int(peak.split()[1]))\n",
        str(ARTICLE),
    )
    assert result.returncode == 0, result.stderr
    words = result.stdout.split()
    assert words[words.index("STARTED") + 1] == "True"
    assert int(words[words.index("PEAK_KIB") + 1]) < 170 * 1024


BUILD_INTO = (
    "import sys\n"
    "from pathlib import Path\n"
    "from tei_tools import saxon_runtime\n"
    "from tei_tools.parallel import build_many\n"
    "if sys.argv[2] == 'defaults':\n"
    "    saxon_runtime.VERIFIED_RELEASES = ()  # as for a saxonche release not verified\n"
    "build_many([Path(sys.argv[1])], Path(sys.argv[3]), ['html', 'epub', 'txt'], jobs=1).raise_for_failures()\n"
    "print('STARTED', saxon_runtime.started())\n"
)


@needs_verified_saxonche
def test_the_outputs_are_the_same_with_graalvm_s_defaults(tmp_path):
    ours, defaults = tmp_path / "ours", tmp_path / "defaults"
    made = run_python(BUILD_INTO, str(ARTICLE), "ours", str(ours))
    left = run_python(BUILD_INTO, str(ARTICLE), "defaults", str(defaults))
    assert made.returncode == 0 and left.returncode == 0, made.stderr + left.stderr
    assert "STARTED True" in made.stdout
    assert "STARTED False" in left.stdout  # saxonche made the runtime itself, and it works
    names = sorted(path.name for path in ours.iterdir() if not path.name.startswith("."))
    assert names == ["mopr-1922-1924.epub", "mopr-1922-1924.html", "mopr-1922-1924.txt"]
    for name in names:
        assert (ours / name).read_bytes() == (defaults / name).read_bytes(), name


@needs_verified_saxonche
def test_options_graalvm_cannot_read_are_an_error_not_a_hang():
    # After a refusal no runtime can be made in the process (saxonche's own attempt would
    # wait for ever): start() and the processor say so, every time.
    result = run_python(
        "from tei_tools import saxon, saxon_runtime\n"
        "from tei_tools.errors import BuildError\n"
        "for attempt in (lambda: saxon_runtime.start(['-XX:MaxNewSize=lots']), saxon.processor, saxon.processor):\n"
        "    try:\n"
        "        attempt()\n"
        "    except BuildError as error:\n"
        "        print('REFUSED', error)\n",
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("REFUSED")]
    assert len(lines) == 3
    assert all("could not be started with -XX:MaxNewSize=lots" in line for line in lines)


@needs_verified_saxonche
def test_options_graalvm_does_not_know_are_skipped_not_refused():
    # A later GraalVM may drop an option: the runtime is still made, with the others.
    result = run_python(
        "from tei_tools import saxon, saxon_runtime\n"
        "print('STARTED', saxon_runtime.start(['-XX:NoSuchOptionOfTeiTools=1', *saxon_runtime.RUNTIME_OPTIONS]))\n"
        "print('VERSION', saxon.processor().version)\n",
    )
    assert result.returncode == 0, result.stderr
    assert "STARTED True" in result.stdout and "VERSION SaxonC-HE" in result.stdout


# ---------------------------------------------------------------- the symbol table


def elf_with_symbols(symbols: dict[str, int], strings: bytes) -> bytes:
    """A minimal little-endian ELF64 file: a null section, .symtab and its string table.

    `strings` is the string table; each symbol's name is found at the last place it ends
    a string there, as a linker that shares tails stores it.
    """
    entries = [bytes(24)]
    for name, value in symbols.items():
        name_offset = strings.rindex(name.encode() + b"\0")
        entries.append(struct.pack("<IBBHQQ", name_offset, 0x12, 0, 1, value, 16))  # global function
    symtab = b"".join(entries)
    header_size, symtab_offset = 64, 64
    strtab_offset = symtab_offset + len(symtab)
    sections_offset = strtab_offset + len(strings)
    header = bytearray(header_size)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x28, sections_offset)
    struct.pack_into("<HH", header, 0x3A, 64, 3)
    null = bytes(64)
    symtab_section = struct.pack("<IIQQQQIIQQ", 0, 2, 0, 0, symtab_offset, len(symtab), 2, 1, 8, 24)
    strtab_section = struct.pack("<IIQQQQIIQQ", 0, 3, 0, 0, strtab_offset, len(strings), 0, 0, 1, 0)
    return bytes(header) + symtab + strings + null + symtab_section + strtab_section


def test_symbols_are_found_by_name_also_as_the_tail_of_a_longer_one(tmp_path):
    # "c_nativeCall" shares the bytes of "user_c_nativeCall": its name begins inside that one.
    library = tmp_path / "tail-shared-names.so"
    library.write_bytes(elf_with_symbols(
        {"user_c_nativeCall": 0x1000, "c_nativeCall": 0x2000, "create_graalvm_isolate": 0x3000},
        b"\0user_c_nativeCall\0create_graalvm_isolate\0"))
    found = saxon_runtime._symbol_values(str(library), ("c_nativeCall", "create_graalvm_isolate", "missing"))
    assert found == {"c_nativeCall": 0x2000, "create_graalvm_isolate": 0x3000}


def test_a_file_that_is_not_elf64_has_no_symbols(tmp_path):
    not_elf = tmp_path / "not-a-library.so"
    not_elf.write_bytes(b"MZ" + bytes(100))
    assert saxon_runtime._symbol_values(str(not_elf), ("c_nativeCall",)) == {}


@needs_verified_saxonche
def test_the_native_callback_is_found_in_saxonche_s_library():
    _core, glue = saxon_runtime._libraries()
    found = saxon_runtime._symbol_values(glue, ("c_nativeCall", "create_graalvm_isolate"))
    assert set(found) == {"c_nativeCall", "create_graalvm_isolate"}
    assert found["c_nativeCall"] != found["create_graalvm_isolate"]
