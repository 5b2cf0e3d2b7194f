//! Search results: the lending iterator [`SeriesIter`] and the borrowed [`Series`].
use std::ffi::CStr;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use vmengine_sys as sys;

use crate::error::{ffi_call, Result};
use crate::labels::LabelIter;
use crate::Db;

/// The series of one search ([`Db::search`]), in TSID order, each with its samples sorted by
/// timestamp. Wraps `vme_series_iter` (closed on drop with `vme_series_iter_close`).
///
/// A *lending* iterator: [`SeriesIter::next`] returns a [`Series`] that borrows the
/// iterator's current key and sample arrays without copying, so it must be dropped before the
/// next call. The borrow checker enforces that:
///
/// ```compile_fail,E0499
/// # fn f(db: &vmengine::Db) -> vmengine::Result<()> {
/// let mut it = db.search(&vmengine::Query::new())?;
/// let first = it.next().unwrap()?;
/// let second = it.next(); // error: `it` is still borrowed by `first`
/// println!("{:?}", first.timestamps());
/// # Ok(()) }
/// ```
///
/// Copy what you keep with [`Series::to_owned`] (or use [`SeriesIter::collect_owned`]).
///
/// Lifetimes and threads: the iterator borrows its [`Db`] (`'db`) but does not block
/// [`Db::close`]; after a close (from any thread) `next` returns [`ErrorCode::Closed`](crate::ErrorCode).
/// It is `Send` (it may move to another thread) but not `Sync`: use it from one thread at a
/// time. After `None` or an error, `next` keeps returning `None`.
pub struct SeriesIter<'db> {
    raw: NonNull<sys::vme_series_iter>,
    finished: bool,
    _db: PhantomData<&'db Db>,
}

// SAFETY: a vme_series_iter has no thread affinity (vmengine.h, "Threads"); &mut self / &self
// methods and the missing Sync impl keep it to one thread at a time.
unsafe impl Send for SeriesIter<'_> {}

impl<'db> SeriesIter<'db> {
    /// # Safety
    /// `raw` must be a live iterator returned by `vme_search` on `db`'s handle.
    pub(crate) unsafe fn from_raw(raw: NonNull<sys::vme_series_iter>, _db: &'db Db) -> Self {
        SeriesIter {
            raw,
            finished: false,
            _db: PhantomData,
        }
    }

    /// Advances to the next series (`vme_series_iter_next`): `Some(Ok(series))`, `None` at
    /// the end, or `Some(Err(..))` ([`ErrorCode::Closed`](crate::ErrorCode) if the db was
    /// closed, [`ErrorCode::Corruption`](crate::ErrorCode) with file and offset, ...).
    /// The returned [`Series`] borrows `self` until it is dropped.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<Series<'_>>> {
        if self.finished {
            return None;
        }
        let raw = self.raw.as_ptr();
        // SAFETY: raw is live until drop; the error comes from this call.
        match ffi_call(|e| unsafe { sys::vme_series_iter_next(raw, e) }) {
            Ok(sys::VME_OK) => {}
            Ok(_) => {
                self.finished = true;
                return None;
            }
            Err(e) => {
                self.finished = true;
                return Some(Err(e));
            }
        }
        let mut ts: *const i64 = ptr::null();
        let mut vs: *const f64 = ptr::null();
        let mut key: *const u8 = ptr::null();
        let mut key_len = 0usize;
        // SAFETY: the views are valid until the next call on the iterator, which needs
        // &mut self, which the returned Series borrows.
        let (timestamps, values, key) = unsafe {
            let n = sys::vme_series_iter_samples(raw, &mut ts, &mut vs);
            sys::vme_series_iter_key(raw, &mut key, &mut key_len);
            (
                slice_or_empty(ts, n),
                slice_or_empty(vs, n),
                slice_or_empty(key, key_len),
            )
        };
        Some(Ok(Series {
            raw,
            key,
            timestamps,
            values,
        }))
    }

    /// Turns this lending iterator into a [`std::iter::Iterator`] of owned copies
    /// ([`OwnedSeriesIter`]), for `for` loops and iterator adapters. Each step copies the
    /// series' labels, key and samples once (see [`Series::to_owned`]).
    ///
    /// ```
    /// # use vmengine::*;
    /// # let dir = std::env::temp_dir()
    /// #     .join(format!("vmengine-doc-into-owned-{}", std::process::id()));
    /// # let db = Db::open(&dir, &Options::new())?;
    /// # db.add_series(&[("__name__", "up"), ("job", "a")], &[1_767_225_600_000], &[1.0])?;
    /// # db.add_series(&[("__name__", "up"), ("job", "b")], &[1_767_225_600_000], &[0.0])?;
    /// # db.flush()?;
    /// for s in db.search(&Query::from_selector("up"))?.into_owned() {
    ///     let s = s?;
    ///     println!("{} = {:?}", s.name, s.values);
    /// }
    /// let down: Vec<String> = db
    ///     .search(&Query::from_selector("up"))?
    ///     .into_owned()
    ///     .filter_map(|s| s.ok())
    ///     .filter(|s| s.values.last() == Some(&0.0))
    ///     .map(|s| s.name)
    ///     .collect();
    /// assert_eq!(down, [r#"up{job="b"}"#]);
    /// # db.close()?;
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), vmengine::Error>(())
    /// ```
    pub fn into_owned(self) -> OwnedSeriesIter<'db> {
        OwnedSeriesIter { inner: self }
    }

    /// Collects the remaining series as owned copies; the first error stops it.
    pub fn collect_owned(self) -> Result<Vec<OwnedSeries>> {
        self.into_owned().collect()
    }
}

/// A [`std::iter::Iterator`] over the series of a search, each copied into an
/// [`OwnedSeries`] that the caller keeps: `Item = Result<OwnedSeries>`. Made by
/// [`SeriesIter::into_owned`]; it owns that iterator (and closes the native one on drop),
/// borrows the [`Db`] like it, and has the same thread rules (`Send`, not `Sync`).
///
/// After the end or an error (e.g. [`ErrorCode::Closed`](crate::ErrorCode) once the db is
/// closed) it returns `None` for good ([`std::iter::FusedIterator`]). Use the lending
/// [`SeriesIter`] instead when the samples need not outlive the loop body: it copies nothing.
#[derive(Debug)]
pub struct OwnedSeriesIter<'db> {
    inner: SeriesIter<'db>,
}

impl Iterator for OwnedSeriesIter<'_> {
    type Item = Result<OwnedSeries>;

    fn next(&mut self) -> Option<Result<OwnedSeries>> {
        self.inner.next().map(|r| r.map(|s| s.to_owned()))
    }
}

impl std::iter::FusedIterator for OwnedSeriesIter<'_> {}

impl Drop for SeriesIter<'_> {
    fn drop(&mut self) {
        // SAFETY: owned iterator, closed once; valid even after vme_close(db).
        unsafe { sys::vme_series_iter_close(self.raw.as_ptr()) }
    }
}

impl std::fmt::Debug for SeriesIter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeriesIter")
            .field("finished", &self.finished)
            .finish()
    }
}

unsafe fn slice_or_empty<'a, T>(p: *const T, n: usize) -> &'a [T] {
    if p.is_null() || n == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p, n)
    }
}

/// One series of a search, borrowed from its [`SeriesIter`] (valid until the iterator's next
/// call; see there). Timestamps are ms since the Unix epoch (UTC), ascending; values are
/// `f64` as stored (about 12 significant decimal digits survive, as in VictoriaMetrics).
pub struct Series<'a> {
    raw: *const sys::vme_series_iter,
    key: &'a [u8],
    timestamps: &'a [i64],
    values: &'a [f64],
}

impl<'a> Series<'a> {
    /// The packed series key (`vme_series_iter_key`): `__name__` first, then the labels in
    /// canonical order.
    pub fn key(&self) -> &'a [u8] {
        self.key
    }

    /// The labels decoded from [`Series::key`], metric name first as `__name__`.
    pub fn labels(&self) -> LabelIter<'a> {
        LabelIter::new(self.key)
    }

    /// The value of label `name` (`"__name__"` for the metric name), if present.
    pub fn label(&self, name: &str) -> Option<std::borrow::Cow<'a, str>> {
        let mut it = LabelIter::new(self.key);
        while let Some((n, v)) = it.raw() {
            if n == name.as_bytes() {
                return Some(String::from_utf8_lossy(v));
            }
        }
        None
    }

    /// The metric name (the `__name__` label), or "" if absent.
    pub fn metric_name(&self) -> std::borrow::Cow<'a, str> {
        self.label("__name__").unwrap_or_default()
    }

    /// The series in Prometheus text form, e.g. `up{instance="h1",job="node"}`
    /// (`vme_series_iter_name`; built on first use).
    pub fn name(&self) -> &'a str {
        // SAFETY: the iterator is borrowed for 'a and sits on this series; the text is cached
        // by the iterator until its next call.
        unsafe {
            let p = sys::vme_series_iter_name(self.raw);
            if p.is_null() {
                ""
            } else {
                CStr::from_ptr(p).to_str().unwrap_or("")
            }
        }
    }

    /// Sample timestamps (borrowed, `vme_series_iter_samples`).
    pub fn timestamps(&self) -> &'a [i64] {
        self.timestamps
    }

    /// Sample values (borrowed), same length as [`Series::timestamps`].
    pub fn values(&self) -> &'a [f64] {
        self.values
    }

    /// Number of samples in the time range.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// True if the series has no sample in the range.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// (timestamp, value) pairs.
    pub fn samples(&self) -> impl Iterator<Item = (i64, f64)> + 'a {
        self.timestamps
            .iter()
            .copied()
            .zip(self.values.iter().copied())
    }

    /// Copies the series out of the iterator: labels, key, name and samples.
    #[allow(clippy::wrong_self_convention)]
    pub fn to_owned(&self) -> OwnedSeries {
        OwnedSeries {
            name: self.name().to_string(),
            labels: self
                .labels()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect(),
            key: self.key.to_vec(),
            timestamps: self.timestamps.to_vec(),
            values: self.values.to_vec(),
        }
    }
}

impl std::fmt::Debug for Series<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Series")
            .field("name", &self.name())
            .field("samples", &self.len())
            .finish()
    }
}

/// An owned copy of a [`Series`] ([`Series::to_owned`], [`SeriesIter::into_owned`]): plain
/// data, free of any iterator or [`Db`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OwnedSeries {
    /// The series in Prometheus text form, e.g. `up{instance="h1",job="node"}`
    /// ([`Series::name`]).
    pub name: String,
    /// Labels in canonical order, metric name first as `__name__`.
    pub labels: Vec<(String, String)>,
    /// The packed series key.
    pub key: Vec<u8>,
    /// Timestamps, ms since the epoch (UTC), ascending.
    pub timestamps: Vec<i64>,
    /// Values, same length as `timestamps`.
    pub values: Vec<f64>,
}

impl OwnedSeries {
    /// The value of label `name` (`"__name__"` for the metric name), if present.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The metric name (the `__name__` label), or "" if absent.
    pub fn metric_name(&self) -> &str {
        self.label("__name__").unwrap_or("")
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// True if the series has no sample.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// (timestamp, value) pairs.
    pub fn samples(&self) -> impl Iterator<Item = (i64, f64)> + '_ {
        self.timestamps
            .iter()
            .copied()
            .zip(self.values.iter().copied())
    }
}
