//! Labels and packed series keys.
//!
//! A series key is the C API's packed label encoding: for each label
//! `u16 big-endian name length | name | u16 big-endian value length | value`, the metric name
//! being the label `__name__`.
use std::borrow::Cow;

use crate::error::{Error, Result};

/// Something that can be packed into a series key: slices, arrays and vectors of
/// `(name, value)` pairs (anything `AsRef<[u8]>`, e.g. `&str` or `String`), and a ready
/// [`SeriesKey`] (packing it is a plain copy: keep `SeriesKey`s for series you write often).
///
/// Write the metric name as the label `"__name__"`. Order does not matter (the engine
/// canonicalises it); labels with an empty value are skipped by the engine.
pub trait Labels {
    /// Appends the packed key to `out`. Returns false (and may leave partial bytes, which the
    /// caller truncates) when a name or value is longer than 65535 bytes and so cannot be
    /// encoded; such a row is then sent with an empty key and rejected by the engine as
    /// invalid labels (counted in [`AddResult::rejected_invalid_labels`](crate::AddResult)).
    fn encode_key(&self, out: &mut Vec<u8>) -> bool;
}

#[inline]
fn push_part(out: &mut Vec<u8>, part: &[u8]) -> bool {
    let Ok(len) = u16::try_from(part.len()) else {
        return false;
    };
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(part);
    true
}

impl<N: AsRef<[u8]>, V: AsRef<[u8]>> Labels for [(N, V)] {
    #[inline]
    fn encode_key(&self, out: &mut Vec<u8>) -> bool {
        for (n, v) in self {
            if !push_part(out, n.as_ref()) || !push_part(out, v.as_ref()) {
                return false;
            }
        }
        true
    }
}

impl<N: AsRef<[u8]>, V: AsRef<[u8]>, const K: usize> Labels for [(N, V); K] {
    #[inline]
    fn encode_key(&self, out: &mut Vec<u8>) -> bool {
        self.as_slice().encode_key(out)
    }
}

impl<N: AsRef<[u8]>, V: AsRef<[u8]>> Labels for Vec<(N, V)> {
    #[inline]
    fn encode_key(&self, out: &mut Vec<u8>) -> bool {
        self.as_slice().encode_key(out)
    }
}

impl Labels for SeriesKey {
    #[inline]
    fn encode_key(&self, out: &mut Vec<u8>) -> bool {
        out.extend_from_slice(&self.0);
        true
    }
}

impl<T: Labels + ?Sized> Labels for &T {
    #[inline]
    fn encode_key(&self, out: &mut Vec<u8>) -> bool {
        (**self).encode_key(out)
    }
}

/// A packed series key, built once and reused: adding a row with a `SeriesKey` to a
/// [`Batch`](crate::Batch) is a single `memcpy` of its bytes (the "cached packed key").
/// Owned, immutable, `Send + Sync`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey(Box<[u8]>);

impl SeriesKey {
    /// Packs labels. Errors: [`ErrorCode::InvalidArgument`](crate::ErrorCode) if a name or
    /// value is longer than 65535 bytes (the engine's own limits, 256-byte names and
    /// 16384-byte values, are checked at ingest, where violating rows are counted).
    pub fn new<L: Labels + ?Sized>(labels: &L) -> Result<SeriesKey> {
        let mut out = Vec::new();
        if !labels.encode_key(&mut out) {
            return Err(Error::invalid(
                "a label name or value is longer than 65535 bytes",
            ));
        }
        Ok(SeriesKey(out.into_boxed_slice()))
    }

    /// Wraps an already packed key (as returned by [`Series::key`](crate::Series::key)).
    /// Errors: [`ErrorCode::InvalidArgument`](crate::ErrorCode) if it is not a sequence of
    /// length-prefixed pairs.
    pub fn from_packed(bytes: &[u8]) -> Result<SeriesKey> {
        let mut it = LabelIter::new(bytes);
        for _ in it.by_ref() {}
        if !it.is_complete() {
            return Err(Error::invalid("malformed packed series key"));
        }
        Ok(SeriesKey(bytes.into()))
    }

    /// The packed bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The labels, decoded (borrowed from the key).
    pub fn labels(&self) -> LabelIter<'_> {
        LabelIter::new(&self.0)
    }
}

impl std::fmt::Debug for SeriesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.labels()).finish()
    }
}

/// Iterator over the `(name, value)` pairs of a packed series key, borrowing it. Names and
/// values are decoded as UTF-8 (invalid bytes are replaced, allocating only then; use
/// [`LabelIter::raw`] for the bytes). Ends early if the key is malformed.
#[derive(Clone)]
pub struct LabelIter<'a> {
    rest: &'a [u8],
    malformed: bool,
}

impl<'a> LabelIter<'a> {
    /// Decodes `key`.
    pub fn new(key: &'a [u8]) -> LabelIter<'a> {
        LabelIter {
            rest: key,
            malformed: false,
        }
    }

    fn part(&mut self) -> Option<&'a [u8]> {
        if self.rest.len() < 2 {
            return None;
        }
        let n = u16::from_be_bytes([self.rest[0], self.rest[1]]) as usize;
        if self.rest.len() < 2 + n {
            return None;
        }
        let (p, r) = self.rest[2..].split_at(n);
        self.rest = r;
        Some(p)
    }

    /// The next pair as raw bytes.
    pub fn raw(&mut self) -> Option<(&'a [u8], &'a [u8])> {
        if self.malformed || self.rest.is_empty() {
            return None;
        }
        match (self.part(), self.part()) {
            (Some(n), Some(v)) => Some((n, v)),
            _ => {
                self.malformed = true;
                None
            }
        }
    }

    /// True once the whole key was decoded without error.
    pub fn is_complete(&self) -> bool {
        !self.malformed && self.rest.is_empty()
    }
}

impl<'a> Iterator for LabelIter<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        self.raw()
            .map(|(n, v)| (String::from_utf8_lossy(n), String::from_utf8_lossy(v)))
    }
}
