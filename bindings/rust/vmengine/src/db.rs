//! [`Db`], its [`Options`], [`Stats`] and the library version.
use std::ffi::{c_char, CStr, CString};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::sync::{OnceLock, PoisonError, RwLock};

use vmengine_sys as sys;

use crate::batch::{AddResult, Batch};
use crate::error::{cstring, ffi_call, static_str, Error, ErrorCode, Result};
use crate::labels::Labels;
use crate::query::{opt_native, opt_ptr, Query};
use crate::series::SeriesIter;

/// Options for [`Db::open`]: plain Rust data (`Clone`, reusable), applied to a native
/// `vme_options` at open time; an invalid value fails [`Db::open`] with
/// [`ErrorCode::InvalidArgument`] naming the key.
///
/// ```
/// let opts = vmengine::Options::new()
///     .retention_ms(30 * 24 * 3600 * 1000) // rows older than now - 30 days are rejected
///     .tenant(0, 0)
///     .cache_bytes(64 << 20)
///     .set("dedup_interval_ms", "0");
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    retention_ms: Option<i64>,
    tenant: Option<(u32, u32)>,
    cache_bytes: Option<u64>,
    extra: Vec<(String, String)>,
}

impl Options {
    /// The defaults: keep everything, tenant 0:0, 256 MiB of caches, no deduplication.
    pub fn new() -> Options {
        Options::default()
    }

    /// Retention in ms (`vme_options_set_retention_ms`); 0 keeps everything.
    pub fn retention_ms(mut self, retention_ms: i64) -> Options {
        self.retention_ms = Some(retention_ms);
        self
    }

    /// Default tenant (AccountID, ProjectID) for ingest and queries (`vme_options_set_tenant`).
    pub fn tenant(mut self, account_id: u32, project_id: u32) -> Options {
        self.tenant = Some((account_id, project_id));
        self
    }

    /// Cache memory budget in bytes, at least 1 MiB (`vme_options_set_cache_bytes`).
    pub fn cache_bytes(mut self, bytes: u64) -> Options {
        self.cache_bytes = Some(bytes);
        self
    }

    /// Generic key/value setting (`vme_options_set`), e.g. `("retention", "30d")`,
    /// `("dedup_interval_ms", "60000")`, `("read_only", "1")`, `("background", "0")`; see
    /// vmengine.h for the keys. Applied in order, after the typed setters.
    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Options {
        self.extra.push((key.into(), value.into()));
        self
    }

    fn to_native(&self) -> Result<NativeOptions> {
        // SAFETY: plain constructor; NULL only when out of memory.
        let raw = unsafe { sys::vme_options_create() };
        let o = NativeOptions(NonNull::new(raw).ok_or_else(|| {
            Error::new(
                ErrorCode::NoMemory,
                "out of memory creating the open options",
            )
        })?);
        let p = o.0.as_ptr();
        // SAFETY (all calls below): p is live and owned by o; inputs are borrowed per call.
        if let Some(ms) = self.retention_ms {
            ffi_call(|e| unsafe { sys::vme_options_set_retention_ms(p, ms, e) })?;
        }
        if let Some((a, pr)) = self.tenant {
            ffi_call(|e| unsafe { sys::vme_options_set_tenant(p, a, pr, e) })?;
        }
        if let Some(b) = self.cache_bytes {
            ffi_call(|e| unsafe { sys::vme_options_set_cache_bytes(p, b, e) })?;
        }
        for (k, v) in &self.extra {
            let k = cstring(k, "option key")?;
            let v = cstring(v, "option value")?;
            ffi_call(|e| unsafe { sys::vme_options_set(p, k.as_ptr(), v.as_ptr(), e) })?;
        }
        Ok(o)
    }
}

struct NativeOptions(NonNull<sys::vme_options>);

impl Drop for NativeOptions {
    fn drop(&mut self) {
        // SAFETY: owned, destroyed once (allowed right after vme_open).
        unsafe { sys::vme_options_destroy(self.0.as_ptr()) }
    }
}

/// The raw handle, NULL once closed.
struct Handle(*mut sys::vme_db);

// SAFETY: a vme_db is fully thread-safe (vmengine.h, "Threads"); the pointer itself is only
// read under the RwLock and nulled under its write lock.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

/// An open vmengine data directory (`vme_db`).
///
/// **Threads.** `Db` is `Send + Sync`: share it with `Arc<Db>`; any number of threads may
/// write, search, flush and close concurrently. Every call holds a read lock on the handle
/// for its duration; [`Db::close`] takes the write lock (so it waits for calls in flight,
/// as `vme_close` does) and nulls the handle: later calls return [`ErrorCode::Closed`], never
/// touch freed memory, whichever thread closed. Search iterators are not covered by the lock
/// (they don't block a close); the library makes their next step return `Closed`.
///
/// **Lifetime.** Close explicitly with [`Db::close`] (idempotent) to see errors of the final
/// flush; `Drop` closes a still-open db and ignores errors (a safety net).
pub struct Db {
    handle: RwLock<Handle>,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Db {
    /// Opens (creating if needed) the data directory `path` (`vme_open`), after checking
    /// once per process that the loaded library's ABI matches this crate ([`check_abi`]).
    ///
    /// Errors: [`ErrorCode::Locked`] if another process or another open `Db` holds the
    /// directory, [`ErrorCode::Corruption`] (the message names the file),
    /// [`ErrorCode::Io`], [`ErrorCode::InvalidArgument`] (bad option, NUL in the path),
    /// [`ErrorCode::Misuse`] on an ABI mismatch.
    pub fn open(path: impl AsRef<Path>, options: &Options) -> Result<Db> {
        check_abi()?;
        let path = path.as_ref();
        let cpath = path_cstring(path)?;
        let opts = options.to_native()?;
        let mut raw: *mut sys::vme_db = ptr::null_mut();
        // SAFETY: inputs are borrowed for the call; raw receives an owned handle.
        ffi_call(|e| unsafe { sys::vme_open(cpath.as_ptr(), opts.0.as_ptr(), &mut raw, e) })?;
        Ok(Db {
            handle: RwLock::new(Handle(raw)),
            path: path.to_path_buf(),
        })
    }

    /// The path given to [`Db::open`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True once [`Db::close`] has run.
    pub fn is_closed(&self) -> bool {
        self.handle
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .is_null()
    }

    /// Runs `f` with the live handle under the read lock, or returns `Closed`.
    #[inline]
    pub(crate) fn with<T>(&self, f: impl FnOnce(*mut sys::vme_db) -> Result<T>) -> Result<T> {
        let g = self.handle.read().unwrap_or_else(PoisonError::into_inner);
        if g.0.is_null() {
            return Err(Error::closed());
        }
        f(g.0)
    }

    /// Makes every row durable, stops background work, releases the directory lock and frees
    /// the handle (`vme_close`). Waits for calls in flight on other threads. Idempotent: a
    /// second close returns `Ok(())`. Afterwards every call returns [`ErrorCode::Closed`].
    /// Errors: [`ErrorCode::Io`] if the final flush fails (the handle is released anyway).
    pub fn close(&self) -> Result<()> {
        let mut g = self.handle.write().unwrap_or_else(PoisonError::into_inner);
        let raw = std::mem::replace(&mut g.0, ptr::null_mut());
        if raw.is_null() {
            return Ok(());
        }
        // SAFETY: raw is the live handle, closed exactly once (it is nulled above).
        ffi_call(|e| unsafe { sys::vme_close(raw, e) }).map(|_| ())
    }

    /// Makes every row added before the call durable and searchable (`vme_flush`).
    pub fn flush(&self) -> Result<()> {
        // SAFETY: live handle under the read lock.
        self.with(|db| ffi_call(|e| unsafe { sys::vme_flush(db, e) }).map(|_| ()))
    }

    /// Writes all rows of `batch` in one native call (`vme_add_rows`) and, on success, clears
    /// it (keeping its buffers). Invalid rows are rejected and counted in the result, not
    /// errors. Rows become searchable after the next background flush (about 1 s) or
    /// [`Db::flush`]. Errors: [`ErrorCode::Closed`], [`ErrorCode::Io`],
    /// [`ErrorCode::Misuse`] (read-only db), [`ErrorCode::InvalidArgument`] (over 4 GiB of
    /// keys); on error the batch keeps its rows (some of which may have been stored).
    pub fn write(&self, batch: &mut Batch) -> Result<AddResult> {
        if batch.oversized {
            return Err(Error::invalid("batch holds more than 4 GiB of series keys"));
        }
        let mut r = sys::vme_add_result::default();
        self.with(|db| {
            // SAFETY: the arrays are borrowed for the call; offsets has len() + 1 entries,
            // ascending and <= keys.len().
            ffi_call(|e| unsafe {
                sys::vme_add_rows(
                    db,
                    batch.keys.as_ptr(),
                    batch.keys.len(),
                    batch.offsets.as_ptr(),
                    batch.timestamps.as_ptr(),
                    batch.values.as_ptr(),
                    batch.timestamps.len(),
                    &mut r,
                    e,
                )
            })
        })?;
        batch.clear();
        Ok(r.into())
    }

    /// Adds the samples of one series in one native call (`vme_add_series`): `ts_ms[i]` (ms
    /// since the epoch, UTC) with `values[i]`. Same semantics as [`Db::write`]; errors also
    /// [`ErrorCode::InvalidArgument`] if the slices differ in length.
    pub fn add_series<L: Labels + ?Sized>(
        &self,
        labels: &L,
        ts_ms: &[i64],
        values: &[f64],
    ) -> Result<AddResult> {
        if ts_ms.len() != values.len() {
            return Err(Error::invalid(format!(
                "add_series: {} timestamps but {} values",
                ts_ms.len(),
                values.len()
            )));
        }
        let mut key = Vec::with_capacity(64);
        if !labels.encode_key(&mut key) {
            key.clear();
        }
        let mut r = sys::vme_add_result::default();
        self.with(|db| {
            // SAFETY: all inputs are borrowed for the call.
            ffi_call(|e| unsafe {
                sys::vme_add_series(
                    db,
                    key.as_ptr(),
                    key.len(),
                    ts_ms.as_ptr(),
                    values.as_ptr(),
                    ts_ms.len(),
                    &mut r,
                    e,
                )
            })
        })?;
        Ok(r.into())
    }

    /// Starts a search (`vme_search`): the series matching `query`, with their samples in its
    /// time range. Only flushed rows are seen. Errors: [`ErrorCode::InvalidArgument`] (bad
    /// regex/selector, min > max), [`ErrorCode::Closed`], [`ErrorCode::Limit`],
    /// [`ErrorCode::Corruption`], [`ErrorCode::Io`]. See [`SeriesIter`] for lifetimes.
    pub fn search(&self, query: &Query) -> Result<SeriesIter<'_>> {
        let q = query.to_native()?;
        let mut it: *mut sys::vme_series_iter = ptr::null_mut();
        self.with(|db| {
            // SAFETY: q is borrowed for the call; it receives an owned iterator.
            ffi_call(|e| unsafe { sys::vme_search(db, q.as_ptr(), &mut it, e) })
        })?;
        let it = NonNull::new(it)
            .ok_or_else(|| Error::new(ErrorCode::Internal, "the search returned no iterator"))?;
        // SAFETY: it is a fresh iterator on this db.
        Ok(unsafe { SeriesIter::from_raw(it, self) })
    }

    /// Sorted label names of the series matching `query` (`None` = all series of the default
    /// tenant), `__name__` included when any series matches (`vme_label_names`).
    pub fn label_names(&self, query: Option<&Query>) -> Result<Vec<String>> {
        let q = opt_native(query)?;
        self.with(|db| {
            let mut list: *mut sys::vme_strlist = ptr::null_mut();
            // SAFETY: q is borrowed; list receives an owned list.
            ffi_call(|e| unsafe { sys::vme_label_names(db, opt_ptr(&q), &mut list, e) })?;
            Ok(take_strlist(list))
        })
    }

    /// Sorted values of label `name` (`"__name__"` for metric names) over the series matching
    /// `query` (`None` = all), without the empty value (`vme_label_values`).
    pub fn label_values(&self, name: &str, query: Option<&Query>) -> Result<Vec<String>> {
        let q = opt_native(query)?;
        self.with(|db| {
            let mut list: *mut sys::vme_strlist = ptr::null_mut();
            // SAFETY: inputs are borrowed; list receives an owned list.
            ffi_call(|e| unsafe {
                sys::vme_label_values(
                    db,
                    name.as_ptr() as *const c_char,
                    name.len(),
                    opt_ptr(&q),
                    &mut list,
                    e,
                )
            })?;
            Ok(take_strlist(list))
        })
    }

    /// Number of distinct live series matching `query` (`None` = all) (`vme_series_count`).
    /// A time range of at most 40 days counts only series with samples on the days it
    /// touches; wider ranges (such as [`Query::new`]'s) count every matching series.
    pub fn series_count(&self, query: Option<&Query>) -> Result<u64> {
        let q = opt_native(query)?;
        let mut n = 0u64;
        // SAFETY: inputs are borrowed for the call.
        self.with(|db| ffi_call(|e| unsafe { sys::vme_series_count(db, opt_ptr(&q), &mut n, e) }))?;
        Ok(n)
    }

    /// Deletes the series matching `query`'s matchers over all time (its time range is
    /// ignored; it needs at least one matcher) and returns how many were deleted
    /// (`vme_delete_series`). They vanish from searches, labels and counts at once.
    pub fn delete_series(&self, query: &Query) -> Result<u64> {
        let q = query.to_native()?;
        let mut n = 0u64;
        // SAFETY: inputs are borrowed for the call.
        self.with(|db| ffi_call(|e| unsafe { sys::vme_delete_series(db, q.as_ptr(), &mut n, e) }))?;
        Ok(n)
    }

    /// Merges all parts of every partition whose name (`YYYY_MM`) starts with
    /// `partition_prefix` ("" = all) into one part each, then the indexdb; blocks until done
    /// (`vme_force_merge`). Errors: [`ErrorCode::Closed`], [`ErrorCode::Io`].
    pub fn force_merge(&self, partition_prefix: &str) -> Result<()> {
        let p = cstring(partition_prefix, "partition prefix")?;
        // SAFETY: p is borrowed for the call.
        self.with(|db| ffi_call(|e| unsafe { sys::vme_force_merge(db, p.as_ptr(), e) }).map(|_| ()))
    }

    /// Flushes and creates a snapshot under `<path>/snapshots/<name>/` and returns its name
    /// (`YYYYMMDDhhmmss-XXXXXXXXXXXXXXXX`, UTC) (`vme_snapshot_create`).
    pub fn create_snapshot(&self) -> Result<String> {
        self.with(|db| {
            let mut name: *mut c_char = ptr::null_mut();
            // SAFETY: name receives a buffer we own and free with vme_free.
            ffi_call(|e| unsafe { sys::vme_snapshot_create(db, &mut name, e) })?;
            if name.is_null() {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "the snapshot was created but its name was not returned",
                ));
            }
            // SAFETY: NUL-terminated buffer from the library, freed once.
            unsafe {
                let s = CStr::from_ptr(name).to_string_lossy().into_owned();
                sys::vme_free(name.cast());
                Ok(s)
            }
        })
    }

    /// Sorted snapshot names (`vme_snapshot_list`).
    pub fn list_snapshots(&self) -> Result<Vec<String>> {
        self.with(|db| {
            let mut list: *mut sys::vme_strlist = ptr::null_mut();
            // SAFETY: list receives an owned list.
            ffi_call(|e| unsafe { sys::vme_snapshot_list(db, &mut list, e) })?;
            Ok(take_strlist(list))
        })
    }

    /// Deletes a snapshot (`vme_snapshot_delete`). Errors: [`ErrorCode::InvalidArgument`]
    /// for a name that is not a snapshot name, [`ErrorCode::NotFound`].
    pub fn delete_snapshot(&self, name: &str) -> Result<()> {
        let n = cstring(name, "snapshot name")?;
        // SAFETY: n is borrowed for the call.
        self.with(|db| {
            ffi_call(|e| unsafe { sys::vme_snapshot_delete(db, n.as_ptr(), e) }).map(|_| ())
        })
    }

    /// A point-in-time copy of the engine's statistics (`vme_stats_get`).
    pub fn stats(&self) -> Result<Stats> {
        self.with(|db| {
            let mut st: *mut sys::vme_stats = ptr::null_mut();
            // SAFETY: st receives an owned object, read then freed once.
            ffi_call(|e| unsafe { sys::vme_stats_get(db, &mut st, e) })?;
            let mut entries = Vec::new();
            unsafe {
                let n = sys::vme_stats_count(st);
                entries.reserve(n);
                for i in 0..n {
                    let name = sys::vme_stats_name(st, i);
                    if name.is_null() {
                        continue;
                    }
                    entries.push((
                        CStr::from_ptr(name).to_string_lossy().into_owned(),
                        sys::vme_stats_value(st, i),
                    ));
                }
                sys::vme_stats_free(st);
            }
            Ok(Stats { entries })
        })
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Copies and frees a `vme_strlist`.
fn take_strlist(list: *mut sys::vme_strlist) -> Vec<String> {
    // SAFETY: list is NULL or an owned list; strings are valid until it is freed, once.
    unsafe {
        let n = sys::vme_strlist_count(list);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let mut len = 0usize;
            let p = sys::vme_strlist_get(list, i, &mut len);
            if !p.is_null() {
                let b = std::slice::from_raw_parts(p as *const u8, len);
                out.push(String::from_utf8_lossy(b).into_owned());
            }
        }
        sys::vme_strlist_free(list);
        out
    }
}

#[cfg(unix)]
pub(crate) fn path_cstring(p: &Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(p.as_os_str().as_bytes()).map_err(|e| {
        let at = e.nul_position();
        Error::with_source(
            ErrorCode::InvalidArgument,
            format!("path {} contains a NUL byte at offset {at}", p.display()),
            e,
        )
    })
}

#[cfg(not(unix))]
pub(crate) fn path_cstring(p: &Path) -> Result<CString> {
    let s = p
        .to_str()
        .ok_or_else(|| Error::invalid("path is not valid UTF-8"))?;
    cstring(s, "path")
}

/// Engine statistics as (name, value) pairs in the library's order, e.g. `"rows"`,
/// `"parts"`, `"series"`, `"data_bytes"`, `"partition.YYYY_MM.small_parts"`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// All entries.
    pub entries: Vec<(String, f64)>,
}

impl Stats {
    /// The value named `name`, if present.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// Iterates over (name, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), *v))
    }
}

/// The loaded library's version, "MAJOR.MINOR.PATCH" (`vme_version_string`).
pub fn version() -> &'static str {
    // SAFETY: static string.
    unsafe { static_str(sys::vme_version_string()) }
}

/// MAJOR*10000 + MINOR*100 + PATCH of the loaded library (`vme_version_number`).
pub fn version_number() -> u32 {
    // SAFETY: no arguments.
    unsafe { sys::vme_version_number() }
}

/// The loaded library's ABI version (`vme_abi_version`, its SOVERSION).
pub fn abi_version() -> u32 {
    // SAFETY: no arguments.
    unsafe { sys::vme_abi_version() }
}

/// Ends the library's process-wide background threads, if any (`vme_library_shutdown`).
/// Only needed before unloading the library; it may be used again afterwards.
///
/// # Safety
/// No other vmengine call may run concurrently (on any thread), and every [`Db`] should be
/// closed first.
pub unsafe fn library_shutdown() {
    sys::vme_library_shutdown()
}

/// Checks (once per process; later calls return the cached outcome) that the loaded
/// library's ABI version equals `VME_ABI_VERSION` of the header this crate was written for.
/// [`Db::open`] calls it. Error: [`ErrorCode::Misuse`].
pub fn check_abi() -> Result<()> {
    static CHECK: OnceLock<Result<()>> = OnceLock::new();
    CHECK
        .get_or_init(|| {
            let got = abi_version();
            if got == sys::VME_ABI_VERSION {
                Ok(())
            } else {
                Err(Error::new(
                    ErrorCode::Misuse,
                    format!(
                        "libvmengine ABI version {got} (library {}) does not match the ABI version {} this binding was built for",
                        version(),
                        sys::VME_ABI_VERSION
                    ),
                ))
            }
        })
        .clone()
}
