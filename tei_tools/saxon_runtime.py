"""Start Saxon's runtime with a bounded young generation, so that a worker stays small.

saxonche runs Saxon-HE as a GraalVM native library and creates its runtime (a GraalVM
"isolate") with no arguments, so the heap takes GraalVM's defaults, which are sized from
the machine's memory: on a 24 GiB machine the young generation grows past 100 MB between
collections, and a worker that builds document after document reaches about 340 MiB,
although Saxon's live data is about 10 MB after each collection. GraalVM reads its
runtime options (`-XX:MaxNewSize=…`) only from the parameters the isolate is created
with, and saxonche lets a caller give none.

So `start` creates the isolate itself, with `RUNTIME_OPTIONS`, and does what saxonche's
own `SaxonProcessor::initialize` does when it creates one (read from the machine code of
libsaxonc-he 13.0.0 and 13.1.1, the same in both): record the isolate and its thread in `SaxonProcessor::sxn_environ`,
set `SaxonProcessor::jvmCreatedCPP`, and hand Java the library's callback for native
calls (`c_nativeCall`). The next `PySaxonProcessor` then finds the runtime made and uses
it. Outputs are byte-identical; only the memory differs (tests/test_saxon_runtime.py).

All of this relies on the library's internals, so each of them is checked first: the
saxonche release (`VERIFIED_RELEASES`), the two libraries next to the module, every
symbol, a runtime not yet made in this process. When one is missing or different,
`start` returns False and leaves the runtime to saxonche, which makes it as before: a
build is then the same, only larger. (saxonche 12 has no native callback to hand over,
and its initialize was not checked: it gets GraalVM's defaults.)
"""
from __future__ import annotations

import ctypes
import glob
import os
import re
import struct
from dataclasses import dataclass
from typing import Any, Sequence

from tei_tools.errors import BuildError

# A young generation of at most 32 MiB: a document of the article's size is collected
# about twice while it is built (1-1.5 ms each), and a worker's resident memory stays
# about 150 MiB instead of 300-340, for about 3 % more time per document in a warm worker
# (benchmarks/README.md, thirteenth pass). 48 and 64 MiB were no faster within the
# machine's noise and used 10-15 MiB more; 8 and 16 MiB made a whole build of the article
# about 30 ms slower (collections during its first transforms). The heap as a whole is
# not capped: a document with more live data still builds.
RUNTIME_OPTIONS: tuple[str, ...] = (f"-XX:MaxNewSize={32 * 1024 * 1024}",)

# The saxonche releases whose SaxonProcessor::initialize this module repeats: checked by
# reading its machine code (create the isolate, record it, set the flag, set the callback).
VERIFIED_RELEASES: tuple[str, ...] = ("13.0.", "13.1.")

_CREATED_FLAG = "_ZN14SaxonProcessor13jvmCreatedCPPE"  # int SaxonProcessor::jvmCreatedCPP
_ENVIRONMENT = "_ZN14SaxonProcessor11sxn_environE"  # sxnc_environment *SaxonProcessor::sxn_environ
_NATIVE_CALL = "c_nativeCall"  # a local function of libsaxonc-he: found in its symbol table
_EXPORTED_ANCHOR = "create_graalvm_isolate"  # an exported function, to find the library's base

_started: bool | None = None  # None: not asked yet in this process
_refused: Exception | None = None  # GraalVM's refusal, said again to every later caller
_keep_alive: list = []  # the isolate's arguments, kept for the life of the process


class _IsolateParameters(ctypes.Structure):
    """graal_create_isolate_params_t, version 4 (graal_isolate.h of GraalVM 22 and later)."""

    _fields_ = [
        ("version", ctypes.c_int),
        ("reserved_address_space_size", ctypes.c_size_t),
        ("auxiliary_image_path", ctypes.c_char_p),
        ("auxiliary_image_reserved_space_size", ctypes.c_size_t),
        ("argc", ctypes.c_int),
        ("argv", ctypes.POINTER(ctypes.c_char_p)),
        ("pkey", ctypes.c_int),
        ("ignore_unrecognized_args", ctypes.c_char),
        ("_reserved_4", ctypes.c_char),
    ]


class _Environment(ctypes.Structure):
    """sxnc_environment of SaxonCGlue.h: the isolate, the current thread, the main thread."""

    _fields_ = [("isolate", ctypes.c_void_p), ("thread", ctypes.c_void_p), ("mainthread", ctypes.c_void_p)]


def started() -> bool | None:
    """Whether this process's runtime was made here, with options (None: not asked yet)."""
    return _started


def start(options: Sequence[str] | None = None) -> bool:
    """Make Saxon's runtime with `options` (default: RUNTIME_OPTIONS) before the first
    PySaxonProcessor; True if done.

    Called once per process, by tei_tools.saxon.processor(). False: saxonche will make the
    runtime itself, with GraalVM's defaults. Raises BuildError if GraalVM refused to make
    it (an option's value it cannot read): no runtime can then be made in this process,
    by saxonche either (its attempt would wait for ever), so every later call says so too.
    """
    global _started, _refused
    if _refused is not None:
        raise _refused
    if _started is None:
        try:
            calls = _runtime_calls()
        except (OSError, ValueError, AttributeError, IndexError, struct.error):
            calls = None
        _started = False
        if calls is not None:
            try:
                _create_isolate(calls, list(RUNTIME_OPTIONS if options is None else options))
            except BuildError as refused:
                _refused = refused
                raise
            _started = True
    return _started


@dataclass
class _RuntimeCalls:
    """Everything _create_isolate needs from the libraries, found before anything is changed."""

    create_isolate: Any
    set_native_callback: Any
    native_callback: int  # c_nativeCall's address
    created_flag: Any  # SaxonProcessor::jvmCreatedCPP
    environment_slot: Any  # SaxonProcessor::sxn_environ
    environment: _Environment  # the record to fill in and store there


def _runtime_calls() -> _RuntimeCalls | None:
    """The libraries' functions and variables, or None where they are not as verified."""
    core_path, glue_path = _libraries()
    if core_path is None or glue_path is None:
        return None
    core, glue = ctypes.CDLL(core_path), ctypes.CDLL(glue_path)  # already loaded by saxonche
    version = glue.get_saxonc_version
    version.restype = ctypes.c_char_p
    if not (version() or b"").decode("ascii", "replace").startswith(VERIFIED_RELEASES):
        return None
    created_flag = ctypes.c_int.in_dll(glue, _CREATED_FLAG)
    environment_slot = ctypes.c_void_p.in_dll(glue, _ENVIRONMENT)
    if created_flag.value or environment_slot.value:
        return None  # a runtime exists in this process (or was inherited): not ours to replace
    native_callback = _local_function(glue, glue_path, _NATIVE_CALL)
    if native_callback is None:
        return None
    create_isolate = core.graal_create_isolate
    create_isolate.argtypes = [ctypes.POINTER(_IsolateParameters), ctypes.c_void_p, ctypes.c_void_p]
    create_isolate.restype = ctypes.c_int
    set_native_callback = core.j_setIndirectFunctionForNativeCall
    set_native_callback.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    set_native_callback.restype = None
    return _RuntimeCalls(create_isolate, set_native_callback, native_callback, created_flag, environment_slot,
                         _new_environment())


def _create_isolate(calls: _RuntimeCalls, options: list[str]) -> None:
    """What SaxonProcessor::initialize does for a new runtime, with `options` for GraalVM."""
    environment = calls.environment
    arguments = [b"tei-tools"] + [option.encode("ascii") for option in options]  # argv[0]: a name
    argv = (ctypes.c_char_p * len(arguments))(*arguments)
    # Options GraalVM does not know are skipped rather than refused (a later GraalVM may drop one).
    parameters = _IsolateParameters(version=4, argc=len(arguments), argv=argv, ignore_unrecognized_args=1)
    base = ctypes.addressof(environment)
    status = calls.create_isolate(ctypes.byref(parameters), base + _Environment.isolate.offset, base + _Environment.thread.offset)
    if status != 0:
        raise BuildError(f"Saxon's runtime (GraalVM) could not be started with {' '.join(options)}: error {status}")
    environment.mainthread = environment.thread
    calls.set_native_callback(environment.thread, calls.native_callback)
    _keep_alive.extend([argv, arguments])
    calls.environment_slot.value = base
    calls.created_flag.value = 1


def _new_environment() -> _Environment:
    """A zeroed sxnc_environment from C's heap, as saxonche's own (`new`) would be."""
    libc = ctypes.CDLL(None)
    libc.calloc.restype = ctypes.c_void_p
    libc.calloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
    address = libc.calloc(1, ctypes.sizeof(_Environment))
    if not address:
        raise OSError("no memory for Saxon's environment record")
    return _Environment.from_address(address)


def _libraries() -> tuple[str | None, str | None]:
    """libsaxonc-core-he (GraalVM's Saxon) and libsaxonc-he (the C++ glue), from saxonche's wheel."""
    import saxonche

    folder = os.path.join(os.path.dirname(saxonche.__file__), "saxonche.libs")
    core = glob.glob(os.path.join(folder, "libsaxonc-core-he-*.so*"))
    glue = glob.glob(os.path.join(folder, "libsaxonc-he-*.so*"))
    if len(core) != 1 or len(glue) != 1:
        return None, None
    return core[0], glue[0]


def _local_function(library: ctypes.CDLL, path: str, name: str) -> int | None:
    """The address of a function the library does not export, from its ELF symbol table.

    The library's load address is an exported function's address less that function's
    value in the same table.
    """
    values = _symbol_values(path, (name, _EXPORTED_ANCHOR))
    if name not in values or _EXPORTED_ANCHOR not in values:
        return None
    anchor = ctypes.cast(getattr(library, _EXPORTED_ANCHOR), ctypes.c_void_p).value
    return anchor - values[_EXPORTED_ANCHOR] + values[name]


def _symbol_values(path: str, names: Sequence[str]) -> dict[str, int]:
    """The values of the named functions in a little-endian ELF64 file's .symtab."""
    with open(path, "rb") as file:
        data = file.read()
    if data[:6] != b"\x7fELF\x02\x01":
        return {}
    section_offset, = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_offset + index * entry_size) for index in range(count)]
    for _name, kind, _flags, _address, offset, size, link, _info, _align, symbol_size in sections:
        if kind != 2 or symbol_size != 24:  # SHT_SYMTAB, Elf64_Sym
            continue
        strings = data[sections[link][4]: sections[link][4] + sections[link][5]]
        # Every place the name ends the table's string: a linker may store a name as the
        # tail of a longer one, so a symbol's name can begin inside another's.
        wanted = {match.start(): name for name in names for match in re.finditer(re.escape(name.encode()) + b"\0", strings)}
        found = {}
        for name_offset, info, _other, section, value, _size in struct.iter_unpack("<IBBHQQ", data[offset: offset + size]):
            if name_offset in wanted and info & 0xF == 2 and section != 0:  # STT_FUNC, defined
                found[wanted[name_offset]] = value
        return found
    return {}
