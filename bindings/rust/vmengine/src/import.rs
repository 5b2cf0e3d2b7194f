//! Prometheus text import: [`Db::import_prometheus_file`], [`Db::import_prometheus`],
//! [`Db::import_prometheus_reader`], their [`ImportOptions`] and [`ImportResult`].
use std::ffi::c_char;
use std::io::Read;
use std::path::Path;

use vmengine_sys as sys;

use crate::batch::AddResult;
use crate::db::path_cstring;
use crate::error::{ffi_call, Error, ErrorCode, Result};
use crate::Db;

/// How to import Prometheus text ([`Db::import_prometheus_file`] and friends). Plain Rust
/// data, `Copy`.
///
/// ```
/// let opts = vmengine::ImportOptions::new()
///     .default_timestamp_ms(1_767_225_600_000) // for lines without a timestamp
///     .strict(true); // the first malformed line fails the call
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    default_ts_ms: Option<i64>,
    strict: bool,
}

impl ImportOptions {
    /// The defaults: lines without a timestamp get the time of the call; malformed lines are
    /// skipped and counted ([`ImportResult::lines_skipped`]).
    pub fn new() -> ImportOptions {
        ImportOptions::default()
    }

    /// The timestamp (ms since the Unix epoch, UTC) given to samples whose line has none.
    /// Default: the time of the call, read once per call.
    pub fn default_timestamp_ms(mut self, ts_ms: i64) -> ImportOptions {
        self.default_ts_ms = Some(ts_ms);
        self
    }

    /// `true`: the first malformed line fails the call with
    /// [`ErrorCode::InvalidArgument`] naming the line (`VME_IMPORT_STRICT`); samples of the
    /// lines before it may have been added. `false` (the default): malformed lines are
    /// skipped and counted.
    pub fn strict(mut self, strict: bool) -> ImportOptions {
        self.strict = strict;
        self
    }

    fn native(&self) -> (i64, u32) {
        let ts = self.default_ts_ms.unwrap_or_else(now_ms);
        let flags = if self.strict {
            sys::VME_IMPORT_STRICT
        } else {
            0
        };
        (ts, flags)
    }
}

/// A failed import keeps the samples of the lines before the failure, and the C call counts
/// them in its result: the error's message says how many ("...; 2 samples of the lines
/// before it were added").
fn with_stored_count(mut e: Error, r: &sys::vme_import_result) -> Error {
    if r.rows.rows_added > 0 {
        e.message = format!(
            "{}; {} samples of the lines before it were added",
            e.message, r.rows.rows_added
        );
    }
    e
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// What an import did (`vme_import_result`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportResult {
    /// What the engine did with the parsed samples, as for [`Db::write`]: rows added and
    /// rows rejected (invalid labels, NaN, out of retention, ...).
    pub rows: AddResult,
    /// Lines seen, comments (`# HELP`, `# TYPE`, ...) and blank lines included.
    pub lines_read: u64,
    /// Malformed lines skipped (always 0 with [`ImportOptions::strict`]).
    pub lines_skipped: u64,
    /// The 1-based number of the first skipped line, if any.
    pub first_skipped_line: Option<u64>,
}

impl From<sys::vme_import_result> for ImportResult {
    fn from(r: sys::vme_import_result) -> ImportResult {
        ImportResult {
            rows: r.rows.into(),
            lines_read: r.lines_read,
            lines_skipped: r.lines_skipped,
            first_skipped_line: (r.first_skipped_line != 0).then_some(r.first_skipped_line),
        }
    }
}

impl Db {
    /// Imports a file in the Prometheus text exposition format (`metric{label="v"} value
    /// [timestamp_ms]` lines; `# HELP`, `# TYPE` and other comments are ignored), plain or
    /// zstd-compressed (recognised by the zstd magic, not by the file name), streaming it
    /// (`vme_import_prometheus_file`). Samples are added as by [`Db::write`]: invalid ones are
    /// rejected and counted in [`ImportResult::rows`]; they become searchable after the next
    /// flush.
    ///
    /// Errors (their messages name the file, and the line for parse errors):
    /// [`ErrorCode::NotFound`] or [`ErrorCode::Io`] when the file cannot be read,
    /// [`ErrorCode::Corruption`] for a damaged zstd stream, [`ErrorCode::InvalidArgument`]
    /// for a malformed line with [`ImportOptions::strict`] (or a NUL byte in the path),
    /// [`ErrorCode::Closed`]. On error, the samples of the lines before the failure stay added
    /// (nothing is undone) and the message ends with how many ("...; N samples of the lines
    /// before it were added") when there are any. Thread-safe like every [`Db`] method.
    ///
    /// ```no_run
    /// # use vmengine::*;
    /// # let db = Db::open("/tmp/vmengine-doc-import", &Options::new())?;
    /// let r = db.import_prometheus_file("node_exporter.prom.zst", &ImportOptions::new())?;
    /// println!("{} samples from {} lines", r.rows.rows_added, r.lines_read);
    /// # Ok::<(), vmengine::Error>(())
    /// ```
    pub fn import_prometheus_file(
        &self,
        path: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<ImportResult> {
        let cpath = path_cstring(path.as_ref())?;
        let (ts, flags) = options.native();
        let mut r = sys::vme_import_result::default();
        self.with(|db| {
            // SAFETY: the path and the result are borrowed for the call.
            ffi_call(|e| unsafe {
                sys::vme_import_prometheus_file(db, cpath.as_ptr(), ts, flags, &mut r, e)
            })
        })
        .map_err(|e| with_stored_count(e, &r))?;
        Ok(r.into())
    }

    /// Imports Prometheus text held in memory (`vme_import_prometheus`); the same format and
    /// semantics as [`Db::import_prometheus_file`], without zstd. Errors:
    /// [`ErrorCode::InvalidArgument`] naming the line (with [`ImportOptions::strict`]),
    /// [`ErrorCode::Closed`].
    ///
    /// ```
    /// # use vmengine::*;
    /// # let dir = std::env::temp_dir()
    /// #     .join(format!("vmengine-doc-import-mem-{}", std::process::id()));
    /// # let db = Db::open(&dir, &Options::new())?;
    /// let text = "# TYPE up gauge\n\
    ///             up{job=\"node\"} 1 1767225600000\n\
    ///             up{job=\"db\"} 0 1767225600000\n";
    /// let r = db.import_prometheus(text, &ImportOptions::new())?;
    /// assert_eq!((r.rows.rows_added, r.lines_read, r.lines_skipped), (2, 3, 0));
    /// # db.close()?;
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), vmengine::Error>(())
    /// ```
    pub fn import_prometheus(
        &self,
        text: impl AsRef<[u8]>,
        options: &ImportOptions,
    ) -> Result<ImportResult> {
        let text = text.as_ref();
        let (ts, flags) = options.native();
        let mut r = sys::vme_import_result::default();
        self.with(|db| {
            // SAFETY: the text and the result are borrowed for the call.
            ffi_call(|e| unsafe {
                sys::vme_import_prometheus(
                    db,
                    text.as_ptr() as *const c_char,
                    text.len(),
                    ts,
                    flags,
                    &mut r,
                    e,
                )
            })
        })
        .map_err(|e| with_stored_count(e, &r))?;
        Ok(r.into())
    }

    /// Reads `reader` to its end, then imports the text as [`Db::import_prometheus`] does
    /// (for a network body, stdin, a decompressing reader...). A read error fails the call
    /// with [`ErrorCode::Io`] before anything is added; that [`Error`]'s
    /// [`source`](std::error::Error::source) is the [`std::io::Error`].
    pub fn import_prometheus_reader<R: Read>(
        &self,
        mut reader: R,
        options: &ImportOptions,
    ) -> Result<ImportResult> {
        let mut text = Vec::new();
        reader.read_to_end(&mut text).map_err(|e| {
            Error::with_source(
                ErrorCode::Io,
                format!(
                    "reading Prometheus text failed after {} bytes: {e}",
                    text.len()
                ),
                e,
            )
        })?;
        self.import_prometheus(&text, options)
    }
}
