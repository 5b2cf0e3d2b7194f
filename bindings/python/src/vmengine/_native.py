"""ctypes declarations of the C API in include/vmengine.h (private module).

Every function is declared with its exact argument and result types, so that ctypes converts
and checks arguments before the call. The library is a ``ctypes.CDLL``: ctypes releases the GIL
for the duration of every foreign call (only ``ctypes.PyDLL`` keeps it), so a blocking engine
call (a flush, a merge, a search, an import) lets other Python threads run.
"""

from __future__ import annotations

import ctypes
import os
from ctypes import (
    POINTER,
    Structure,
    c_char_p,
    c_double,
    c_int32,
    c_int64,
    c_size_t,
    c_uint8,
    c_uint32,
    c_uint64,
    c_void_p,
)
from pathlib import Path

#: ABI version (SOVERSION) this module was written against (VME_ABI_VERSION).
ABI_VERSION = 0

VME_OK = 0
VME_DONE = 1
VME_ERR_BUFFER_TOO_SMALL = -8
VME_IMPORT_STRICT = 1

VME_MATCH_EQ = 0
VME_MATCH_NEQ = 1
VME_MATCH_RE = 2
VME_MATCH_NRE = 3


class vme_add_result(Structure):
    """struct vme_add_result (per-call ingest counters)."""

    _fields_ = [
        ("rows_added", c_uint64),
        ("rejected_invalid_labels", c_uint64),
        ("rejected_nan", c_uint64),
        ("rejected_out_of_retention", c_uint64),
        ("rejected_too_far_future", c_uint64),
        ("rejected_invalid_timestamp", c_uint64),
    ]


class vme_import_result(Structure):
    """struct vme_import_result (outcome of vme_import_prometheus[_file])."""

    _fields_ = [
        ("rows", vme_add_result),
        ("lines_read", c_uint64),
        ("lines_skipped", c_uint64),
        ("first_skipped_line", c_uint64),
    ]


vme_status = c_int32
P = c_void_p  # every opaque handle (vme_db*, vme_query*, ...) is passed as a void pointer
PP = POINTER(c_void_p)  # vme_error** and the other handle out-parameters
p_u8 = POINTER(c_uint8)
p_u32 = POINTER(c_uint32)
p_u64 = POINTER(c_uint64)
p_i64 = POINTER(c_int64)
p_f64 = POINTER(c_double)
p_size = POINTER(c_size_t)

# name: (result type, argument types)
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "vme_version_string": (c_char_p, []),
    "vme_version_number": (c_uint32, []),
    "vme_abi_version": (c_uint32, []),
    "vme_status_string": (c_char_p, [vme_status]),
    "vme_error_code": (vme_status, [P]),
    "vme_error_message": (c_char_p, [P]),
    "vme_error_free": (None, [P]),
    "vme_free": (None, [P]),
    "vme_options_create": (P, []),
    "vme_options_destroy": (None, [P]),
    "vme_options_set": (vme_status, [P, c_char_p, c_char_p, PP]),
    "vme_open": (vme_status, [c_char_p, P, PP, PP]),
    "vme_close": (vme_status, [P, PP]),
    "vme_flush": (vme_status, [P, PP]),
    "vme_background_run_once": (vme_status, [P, PP]),
    "vme_add_rows": (
        vme_status,
        [P, c_void_p, c_size_t, c_void_p, c_void_p, c_void_p, c_size_t, POINTER(vme_add_result), PP],
    ),
    "vme_add_series": (
        vme_status,
        [P, c_void_p, c_size_t, c_void_p, c_void_p, c_size_t, POINTER(vme_add_result), PP],
    ),
    "vme_series_refs_resolve": (
        vme_status,
        [P, c_void_p, c_size_t, c_void_p, c_size_t, c_void_p, PP],
    ),
    "vme_series_refs_release": (vme_status, [P, c_void_p, c_size_t, PP]),
    "vme_add_rows_ref": (
        vme_status,
        [P, c_void_p, c_void_p, c_void_p, c_size_t, c_void_p, POINTER(vme_add_result), PP],
    ),
    "vme_query_create": (P, [c_int64, c_int64]),
    "vme_query_destroy": (None, [P]),
    "vme_query_add_matcher": (vme_status, [P, ctypes.c_int, c_char_p, c_size_t, c_char_p, c_size_t, PP]),
    "vme_query_add_selector": (vme_status, [P, c_char_p, PP]),
    "vme_query_set_limit": (vme_status, [P, c_uint64, PP]),
    "vme_search": (vme_status, [P, P, PP, PP]),
    "vme_series_iter_next": (vme_status, [P, PP]),
    "vme_series_iter_key": (None, [P, POINTER(p_u8), p_size]),
    "vme_series_iter_name": (c_char_p, [P]),
    "vme_series_iter_samples": (c_size_t, [P, POINTER(p_i64), POINTER(p_f64)]),
    "vme_series_iter_copy_samples": (vme_status, [P, c_void_p, c_void_p, c_size_t, p_size, PP]),
    "vme_series_iter_close": (None, [P]),
    "vme_label_names": (vme_status, [P, P, PP, PP]),
    "vme_label_values": (vme_status, [P, c_char_p, c_size_t, P, PP, PP]),
    "vme_strlist_count": (c_size_t, [P]),
    "vme_strlist_get": (c_void_p, [P, c_size_t, p_size]),
    "vme_strlist_free": (None, [P]),
    "vme_series_count": (vme_status, [P, P, p_u64, PP]),
    "vme_force_merge": (vme_status, [P, c_char_p, PP]),
    "vme_delete_series": (vme_status, [P, P, p_u64, PP]),
    "vme_snapshot_create": (vme_status, [P, PP, PP]),
    "vme_snapshot_list": (vme_status, [P, PP, PP]),
    "vme_snapshot_delete": (vme_status, [P, c_char_p, PP]),
    "vme_stats_get": (vme_status, [P, PP, PP]),
    "vme_stats_count": (c_size_t, [P]),
    "vme_stats_name": (c_char_p, [P, c_size_t]),
    "vme_stats_value": (c_double, [P, c_size_t]),
    "vme_stats_text": (c_char_p, [P, c_size_t]),
    "vme_stats_free": (None, [P]),
    "vme_import_prometheus": (
        vme_status,
        [P, c_char_p, c_size_t, c_int64, c_uint32, POINTER(vme_import_result), PP],
    ),
    "vme_import_prometheus_file": (
        vme_status,
        [P, c_char_p, c_int64, c_uint32, POINTER(vme_import_result), PP],
    ),
}

#: Functions that a library older than the binding may lack; calling one raises MisuseError.
_OPTIONAL = {"vme_import_prometheus", "vme_import_prometheus_file"}


def _candidates() -> list[str]:
    env = os.environ.get("VMENGINE_LIBRARY")
    if env:
        return [env]
    here = Path(__file__).resolve().parent
    return [str(here / "libvmengine.so"), "libvmengine.so.0"]


def _load() -> ctypes.CDLL:
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError(
        "vmengine: cannot load libvmengine.so (set VMENGINE_LIBRARY to its path): " + "; ".join(errors)
    )


lib = _load()
_missing: set[str] = set()
for _name, (_res, _args) in _SIGNATURES.items():
    try:
        _fn = getattr(lib, _name)
    except AttributeError:
        if _name in _OPTIONAL:
            _missing.add(_name)
            continue
        raise ImportError(f"vmengine: {lib._name} lacks the C function {_name}") from None
    _fn.restype = _res
    _fn.argtypes = _args

if lib.vme_abi_version() != ABI_VERSION:
    raise ImportError(
        f"vmengine: {lib._name} has ABI version {lib.vme_abi_version()}, this binding needs {ABI_VERSION}"
    )


def has(name: str) -> bool:
    """True when the loaded library exports the C function ``name``."""
    return name in _SIGNATURES and name not in _missing


def library_path() -> str:
    """The path (or name) the shared library was loaded from."""
    return str(lib._name)
