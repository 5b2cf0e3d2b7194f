//! Raw FFI declarations for libvmengine, written by hand after `include/vmengine.h`.
//!
//! Every item mirrors the C header one to one (same names, same types through `core::ffi`);
//! read the header (or `docs/c-api.md`) for the contract of each function: ownership of
//! inputs and outputs, error objects, threading and the packed series-key format. The safe
//! wrapper is the `vmengine` crate.
//!
//! [`FUNCTIONS`] lists every declared function with its signature as a string generated from
//! the very declaration (by the `vme_functions!` macro below), and the macro also checks at
//! compile time that each function coerces to an `unsafe extern "C" fn` of that type. The
//! test `tests/header.rs` parses the header and fails on any missing, extra or different
//! function, constant or struct field.
//!
//! Linking (`build.rs`, details in the crate README): with the feature `bundled`, the C++
//! core is built from the packaged sources with CMake and linked statically; otherwise
//! `libvmengine.so` is linked from `$VMENGINE_LIB_DIR` if set (with an rpath for this
//! crate's own tests), else through `pkg-config vmengine`. The directory of a shared library
//! reaches dependents' build scripts as `DEP_VMENGINE_LIB_DIR`.
#![no_std]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_uint, c_void};

// ---- versions -------------------------------------------------------------------------------

pub const VME_VERSION_MAJOR: u32 = 0;
pub const VME_VERSION_MINOR: u32 = 2;
pub const VME_VERSION_PATCH: u32 = 0;
pub const VME_VERSION_NUMBER: u32 =
    VME_VERSION_MAJOR * 10000 + VME_VERSION_MINOR * 100 + VME_VERSION_PATCH;
pub const VME_VERSION_STRING: &str = "0.2.0";
/// The ABI version this crate was written for; compare with [`vme_abi_version`].
pub const VME_ABI_VERSION: u32 = 0;

// ---- status codes ---------------------------------------------------------------------------

pub type vme_status = i32;

pub const VME_OK: vme_status = 0;
pub const VME_DONE: vme_status = 1;
pub const VME_ERR_INVALID_ARGUMENT: vme_status = -1;
pub const VME_ERR_NOT_FOUND: vme_status = -2;
pub const VME_ERR_CORRUPTION: vme_status = -3;
pub const VME_ERR_IO: vme_status = -4;
pub const VME_ERR_NO_MEMORY: vme_status = -5;
pub const VME_ERR_CLOSED: vme_status = -6;
pub const VME_ERR_BUSY: vme_status = -7;
pub const VME_ERR_BUFFER_TOO_SMALL: vme_status = -8;
pub const VME_ERR_MISUSE: vme_status = -9;
pub const VME_ERR_INTERNAL: vme_status = -10;
pub const VME_ERR_LOCKED: vme_status = -11;
pub const VME_ERR_LIMIT: vme_status = -12;

/// Outcome of one row of [`vme_add_rows_report`] (`row_status[i]`).
pub const VME_ROW_STORED: u8 = 0;
pub const VME_ROW_INVALID_LABELS: u8 = 1;
pub const VME_ROW_NAN: u8 = 2;
pub const VME_ROW_OUT_OF_RETENTION: u8 = 3;
pub const VME_ROW_TOO_FAR_FUTURE: u8 = 4;
pub const VME_ROW_INVALID_TIMESTAMP: u8 = 5;
/// Not stored because the call failed (counted nowhere).
pub const VME_ROW_FAILED: u8 = 255;

/// `#define` constants of the header as (name, value), checked by `tests/header.rs`.
pub const CONSTANTS: &[(&str, i64)] = &[
    ("VME_VERSION_MAJOR", VME_VERSION_MAJOR as i64),
    ("VME_VERSION_MINOR", VME_VERSION_MINOR as i64),
    ("VME_VERSION_PATCH", VME_VERSION_PATCH as i64),
    ("VME_ABI_VERSION", VME_ABI_VERSION as i64),
    ("VME_OK", VME_OK as i64),
    ("VME_DONE", VME_DONE as i64),
    ("VME_ERR_INVALID_ARGUMENT", VME_ERR_INVALID_ARGUMENT as i64),
    ("VME_ERR_NOT_FOUND", VME_ERR_NOT_FOUND as i64),
    ("VME_ERR_CORRUPTION", VME_ERR_CORRUPTION as i64),
    ("VME_ERR_IO", VME_ERR_IO as i64),
    ("VME_ERR_NO_MEMORY", VME_ERR_NO_MEMORY as i64),
    ("VME_ERR_CLOSED", VME_ERR_CLOSED as i64),
    ("VME_ERR_BUSY", VME_ERR_BUSY as i64),
    ("VME_ERR_BUFFER_TOO_SMALL", VME_ERR_BUFFER_TOO_SMALL as i64),
    ("VME_ERR_MISUSE", VME_ERR_MISUSE as i64),
    ("VME_ERR_INTERNAL", VME_ERR_INTERNAL as i64),
    ("VME_ERR_LOCKED", VME_ERR_LOCKED as i64),
    ("VME_ERR_LIMIT", VME_ERR_LIMIT as i64),
    ("VME_MATCH_EQ", VME_MATCH_EQ as i64),
    ("VME_MATCH_NEQ", VME_MATCH_NEQ as i64),
    ("VME_MATCH_RE", VME_MATCH_RE as i64),
    ("VME_MATCH_NRE", VME_MATCH_NRE as i64),
    ("VME_ROW_STORED", VME_ROW_STORED as i64),
    ("VME_ROW_INVALID_LABELS", VME_ROW_INVALID_LABELS as i64),
    ("VME_ROW_NAN", VME_ROW_NAN as i64),
    ("VME_ROW_OUT_OF_RETENTION", VME_ROW_OUT_OF_RETENTION as i64),
    ("VME_ROW_TOO_FAR_FUTURE", VME_ROW_TOO_FAR_FUTURE as i64),
    (
        "VME_ROW_INVALID_TIMESTAMP",
        VME_ROW_INVALID_TIMESTAMP as i64,
    ),
    ("VME_ROW_FAILED", VME_ROW_FAILED as i64),
    ("VME_IMPORT_STRICT", VME_IMPORT_STRICT as i64),
];

// ---- opaque handles -------------------------------------------------------------------------

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {$(
        /// Opaque C handle; only ever used behind a pointer.
        #[repr(C)]
        pub struct $name {
            _data: [u8; 0],
            _marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
        }
    )*};
}

opaque!(
    vme_error,
    vme_options,
    vme_db,
    vme_query,
    vme_series_iter,
    vme_strlist,
    vme_stats
);

/// Opaque type names declared by the header (`typedef struct X X;`), checked by the test.
pub const OPAQUE_TYPES: &[&str] = &[
    "vme_error",
    "vme_options",
    "vme_db",
    "vme_query",
    "vme_series_iter",
    "vme_strlist",
    "vme_stats",
];

// ---- plain types ----------------------------------------------------------------------------

/// Per-call ingest counters (`vme_add_result`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct vme_add_result {
    pub rows_added: u64,
    pub rejected_invalid_labels: u64,
    pub rejected_nan: u64,
    pub rejected_out_of_retention: u64,
    pub rejected_too_far_future: u64,
    pub rejected_invalid_timestamp: u64,
}

/// Fields of `vme_add_result` as (C type, name), checked by the test.
pub const ADD_RESULT_FIELDS: &[(&str, &str)] = &[
    ("uint64_t", "rows_added"),
    ("uint64_t", "rejected_invalid_labels"),
    ("uint64_t", "rejected_nan"),
    ("uint64_t", "rejected_out_of_retention"),
    ("uint64_t", "rejected_too_far_future"),
    ("uint64_t", "rejected_invalid_timestamp"),
];

/// Flag of [`vme_import_prometheus`] / [`vme_import_prometheus_file`]: the first malformed
/// line fails the call instead of being skipped and counted.
pub const VME_IMPORT_STRICT: u32 = 1;

/// Outcome of a Prometheus text import (`vme_import_result`).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct vme_import_result {
    /// What the engine did with the parsed samples.
    pub rows: vme_add_result,
    /// Lines seen, comments and blank lines included.
    pub lines_read: u64,
    /// Malformed lines skipped (0 with [`VME_IMPORT_STRICT`]).
    pub lines_skipped: u64,
    /// 1-based number of the first skipped line; 0 when none.
    pub first_skipped_line: u64,
}

/// Fields of `vme_import_result` as (C type, name), checked by the test.
pub const IMPORT_RESULT_FIELDS: &[(&str, &str)] = &[
    ("vme_add_result", "rows"),
    ("uint64_t", "lines_read"),
    ("uint64_t", "lines_skipped"),
    ("uint64_t", "first_skipped_line"),
];

/// `enum vme_match_type` (a C enum without negative values: `unsigned int` on GCC/Clang).
pub type vme_match_type = c_uint;
pub const VME_MATCH_EQ: vme_match_type = 0;
pub const VME_MATCH_NEQ: vme_match_type = 1;
pub const VME_MATCH_RE: vme_match_type = 2;
pub const VME_MATCH_NRE: vme_match_type = 3;

// ---- functions ------------------------------------------------------------------------------

/// Declares the functions, generates [`FUNCTIONS`] from the same tokens and checks at compile
/// time that each one is an `unsafe extern "C" fn` of the listed type.
macro_rules! vme_functions {
    ($( pub fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) $(-> $ret:ty)? ; )*) => {
        extern "C" {
            $( pub fn $name($($arg: $ty),*) $(-> $ret)?; )*
        }

        /// Every declared function as (name, signature), the signature being the Rust
        /// parameter and return types as written, e.g. `fn(*mut vme_db,*mut *mut vme_error)
        /// -> vme_status`. Whitespace in it is not significant.
        pub const FUNCTIONS: &[(&str, &str)] = &[
            $( (stringify!($name),
                concat!("fn(", $(stringify!($ty), ",",)* ")" $(, " -> ", stringify!($ret))?)), )*
        ];

        #[allow(dead_code, clippy::type_complexity)]
        fn _signature_check() {
            $( let _: unsafe extern "C" fn($($ty),*) $(-> $ret)? = $name; )*
        }
    };
}

vme_functions! {
    // versions
    pub fn vme_version_string() -> *const c_char;
    pub fn vme_version_number() -> u32;
    pub fn vme_abi_version() -> u32;
    pub fn vme_library_shutdown();

    // status codes and errors
    pub fn vme_status_string(status: vme_status) -> *const c_char;
    pub fn vme_error_code(err: *const vme_error) -> vme_status;
    pub fn vme_error_message(err: *const vme_error) -> *const c_char;
    pub fn vme_error_free(err: *mut vme_error);
    pub fn vme_last_error_message() -> *const c_char;
    pub fn vme_free(p: *mut c_void);

    // options
    pub fn vme_options_create() -> *mut vme_options;
    pub fn vme_options_destroy(opts: *mut vme_options);
    pub fn vme_options_set_retention_ms(opts: *mut vme_options, retention_ms: i64,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_options_set_tenant(opts: *mut vme_options, account_id: u32, project_id: u32,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_options_set_cache_bytes(opts: *mut vme_options, bytes: u64,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_options_set(opts: *mut vme_options, key: *const c_char, value: *const c_char,
        err: *mut *mut vme_error) -> vme_status;

    // opening and closing
    pub fn vme_open(path: *const c_char, opts: *const vme_options, out: *mut *mut vme_db,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_close(db: *mut vme_db, err: *mut *mut vme_error) -> vme_status;
    pub fn vme_flush(db: *mut vme_db, err: *mut *mut vme_error) -> vme_status;
    pub fn vme_background_run_once(db: *mut vme_db, err: *mut *mut vme_error) -> vme_status;

    // ingest
    pub fn vme_add_rows(db: *mut vme_db, keys: *const u8, keys_len: usize,
        key_offsets: *const u32, ts_ms: *const i64, values: *const f64, n: usize,
        result: *mut vme_add_result, err: *mut *mut vme_error) -> vme_status;
    pub fn vme_add_rows_report(db: *mut vme_db, keys: *const u8, keys_len: usize,
        key_offsets: *const u32, ts_ms: *const i64, values: *const f64, n: usize,
        row_status: *mut u8, result: *mut vme_add_result, err: *mut *mut vme_error)
        -> vme_status;
    pub fn vme_add_series(db: *mut vme_db, key: *const u8, key_len: usize, ts_ms: *const i64,
        values: *const f64, n: usize, result: *mut vme_add_result,
        err: *mut *mut vme_error) -> vme_status;

    // series references (declared for the header check; the safe crate does not use them yet)
    pub fn vme_series_refs_resolve(db: *mut vme_db, keys: *const u8, keys_len: usize,
        key_offsets: *const u32, n: usize, refs: *mut u64, err: *mut *mut vme_error)
        -> vme_status;
    pub fn vme_series_refs_release(db: *mut vme_db, refs: *const u64, n: usize,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_add_rows_ref(db: *mut vme_db, refs: *const u64, ts_ms: *const i64,
        values: *const f64, n: usize, row_status: *mut u8, result: *mut vme_add_result,
        err: *mut *mut vme_error) -> vme_status;

    // Prometheus text import
    pub fn vme_import_prometheus(db: *mut vme_db, text: *const c_char, len: usize,
        default_ts_ms: i64, flags: u32, result: *mut vme_import_result,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_import_prometheus_file(db: *mut vme_db, path: *const c_char, default_ts_ms: i64,
        flags: u32, result: *mut vme_import_result, err: *mut *mut vme_error) -> vme_status;

    // queries
    pub fn vme_query_create(min_ts_ms: i64, max_ts_ms: i64) -> *mut vme_query;
    pub fn vme_query_destroy(q: *mut vme_query);
    pub fn vme_query_set_time_range(q: *mut vme_query, min_ts_ms: i64, max_ts_ms: i64,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_query_add_matcher(q: *mut vme_query, type_: vme_match_type, name: *const c_char,
        name_len: usize, value: *const c_char, value_len: usize,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_query_add_selector(q: *mut vme_query, selector: *const c_char,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_query_set_tenant(q: *mut vme_query, account_id: u32, project_id: u32,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_query_set_limit(q: *mut vme_query, max_series: u64,
        err: *mut *mut vme_error) -> vme_status;

    // search results
    pub fn vme_search(db: *mut vme_db, q: *const vme_query, out: *mut *mut vme_series_iter,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_series_iter_next(it: *mut vme_series_iter, err: *mut *mut vme_error)
        -> vme_status;
    pub fn vme_series_iter_key(it: *const vme_series_iter, key: *mut *const u8, len: *mut usize);
    pub fn vme_series_iter_name(it: *const vme_series_iter) -> *const c_char;
    pub fn vme_series_iter_samples(it: *const vme_series_iter, ts: *mut *const i64,
        values: *mut *const f64) -> usize;
    pub fn vme_series_iter_copy_samples(it: *const vme_series_iter, ts: *mut i64,
        values: *mut f64, cap: usize, n_out: *mut usize, err: *mut *mut vme_error)
        -> vme_status;
    pub fn vme_series_iter_close(it: *mut vme_series_iter);

    // labels and counts
    pub fn vme_label_names(db: *mut vme_db, q: *const vme_query, out: *mut *mut vme_strlist,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_label_values(db: *mut vme_db, name: *const c_char, name_len: usize,
        q: *const vme_query, out: *mut *mut vme_strlist, err: *mut *mut vme_error)
        -> vme_status;
    pub fn vme_strlist_count(list: *const vme_strlist) -> usize;
    pub fn vme_strlist_get(list: *const vme_strlist, i: usize, len: *mut usize) -> *const c_char;
    pub fn vme_strlist_free(list: *mut vme_strlist);
    pub fn vme_series_count(db: *mut vme_db, q: *const vme_query, out: *mut u64,
        err: *mut *mut vme_error) -> vme_status;

    // maintenance
    pub fn vme_force_merge(db: *mut vme_db, partition_prefix: *const c_char,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_delete_series(db: *mut vme_db, q: *const vme_query, deleted: *mut u64,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_snapshot_create(db: *mut vme_db, name_out: *mut *mut c_char,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_snapshot_list(db: *mut vme_db, out: *mut *mut vme_strlist,
        err: *mut *mut vme_error) -> vme_status;
    pub fn vme_snapshot_delete(db: *mut vme_db, name: *const c_char,
        err: *mut *mut vme_error) -> vme_status;

    // statistics
    pub fn vme_stats_get(db: *mut vme_db, out: *mut *mut vme_stats, err: *mut *mut vme_error)
        -> vme_status;
    pub fn vme_stats_count(stats: *const vme_stats) -> usize;
    pub fn vme_stats_name(stats: *const vme_stats, i: usize) -> *const c_char;
    pub fn vme_stats_value(stats: *const vme_stats, i: usize) -> f64;
    pub fn vme_stats_text(stats: *const vme_stats, i: usize) -> *const c_char;
    pub fn vme_stats_free(stats: *mut vme_stats);
}
