//! Ingest: [`Batch`] (row-wise, one native call per batch) and [`AddResult`].
use vmengine_sys as sys;

use crate::labels::Labels;

/// Per-call ingest counters (`vme_add_result`). A rejected row is never stored; every
/// rejection is counted here and the call still succeeds for the valid rest.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AddResult {
    /// Rows accepted into the raw-row buffers.
    pub rows_added: u64,
    /// Malformed series key, over the label limits (name > 256 bytes, value > 16384 bytes,
    /// more than 30 labels), or no metric name.
    pub rejected_invalid_labels: u64,
    /// NaN values other than the Prometheus staleness marker (`0x7ff0000000000002`).
    pub rejected_nan: u64,
    /// Timestamps older than now - retention.
    pub rejected_out_of_retention: u64,
    /// Timestamps later than now + 2 days.
    pub rejected_too_far_future: u64,
    /// Timestamps < 0.
    pub rejected_invalid_timestamp: u64,
}

impl AddResult {
    /// Sum of all rejection counters.
    pub fn rejected(&self) -> u64 {
        self.rejected_invalid_labels
            + self.rejected_nan
            + self.rejected_out_of_retention
            + self.rejected_too_far_future
            + self.rejected_invalid_timestamp
    }
}

impl From<sys::vme_add_result> for AddResult {
    fn from(r: sys::vme_add_result) -> Self {
        AddResult {
            rows_added: r.rows_added,
            rejected_invalid_labels: r.rejected_invalid_labels,
            rejected_nan: r.rejected_nan,
            rejected_out_of_retention: r.rejected_out_of_retention,
            rejected_too_far_future: r.rejected_too_far_future,
            rejected_invalid_timestamp: r.rejected_invalid_timestamp,
        }
    }
}

impl std::ops::AddAssign for AddResult {
    fn add_assign(&mut self, o: AddResult) {
        self.rows_added += o.rows_added;
        self.rejected_invalid_labels += o.rejected_invalid_labels;
        self.rejected_nan += o.rejected_nan;
        self.rejected_out_of_retention += o.rejected_out_of_retention;
        self.rejected_too_far_future += o.rejected_too_far_future;
        self.rejected_invalid_timestamp += o.rejected_invalid_timestamp;
    }
}

/// A batch of rows for [`Db::write`](crate::Db::write), which sends it in ONE native call
/// (`vme_add_rows`): the packed keys of all rows in one byte buffer, `n + 1` `u32` offsets,
/// and the timestamp and value columns.
///
/// Buffers are kept across [`Db::write`](crate::Db::write) calls (which clear the rows on
/// success), so a reused batch does not allocate in the steady state. Packing labels costs
/// a few small copies per row; for series written repeatedly, build a
/// [`SeriesKey`](crate::SeriesKey) once and add rows with it (one `memcpy` per row).
///
/// A batch is plain owned data: `Send + Sync`, not tied to a [`Db`](crate::Db).
#[derive(Debug, Clone)]
pub struct Batch {
    pub(crate) keys: Vec<u8>,
    pub(crate) offsets: Vec<u32>,
    pub(crate) timestamps: Vec<i64>,
    pub(crate) values: Vec<f64>,
    pub(crate) oversized: bool,
}

impl Default for Batch {
    fn default() -> Self {
        Batch::new()
    }
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::with_capacity(0, 0)
    }

    /// An empty batch with room for `rows` rows and `key_bytes` bytes of packed keys.
    pub fn with_capacity(rows: usize, key_bytes: usize) -> Batch {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Batch {
            keys: Vec::with_capacity(key_bytes),
            offsets,
            timestamps: Vec::with_capacity(rows),
            values: Vec::with_capacity(rows),
            oversized: false,
        }
    }

    /// Appends a row: the series given by `labels` (label pairs or a
    /// [`SeriesKey`](crate::SeriesKey)), a timestamp in ms since the Unix epoch (UTC) and an
    /// `f64` value. Invalid rows (e.g. a label longer than the engine's limits, NaN, a
    /// timestamp out of retention) are not an error: the engine rejects and counts them in
    /// the [`AddResult`] of [`Db::write`](crate::Db::write).
    #[inline]
    pub fn add<L: Labels + ?Sized>(&mut self, labels: &L, ts_ms: i64, value: f64) {
        let start = self.keys.len();
        if !labels.encode_key(&mut self.keys) {
            self.keys.truncate(start);
        }
        let end = self.keys.len();
        if end > u32::MAX as usize {
            self.oversized = true;
        }
        self.offsets.push(end as u32);
        self.timestamps.push(ts_ms);
        self.values.push(value);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// True if the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Removes all rows, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        self.keys.clear();
        self.offsets.truncate(1);
        self.timestamps.clear();
        self.values.clear();
        self.oversized = false;
    }
}
