#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod batch;
mod db;
mod error;
mod import;
mod labels;
mod query;
mod series;

pub use batch::{AddResult, Batch};
pub use db::{
    abi_version, check_abi, library_shutdown, version, version_number, Db, Options, Stats,
};
pub use error::{Error, ErrorCode, Result};
pub use import::{ImportOptions, ImportResult};
pub use labels::{LabelIter, Labels, SeriesKey};
pub use query::{MatchType, Matcher, Query};
pub use series::{OwnedSeries, OwnedSeriesIter, Series, SeriesIter};

/// The raw FFI declarations this crate wraps.
pub use vmengine_sys as sys;

/// The Rust code blocks of `bindings/rust/README.md`, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct BindingReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}

    #[test]
    fn auto_traits() {
        assert_send_sync::<Db>();
        assert_send_sync::<Batch>();
        assert_send_sync::<Query>();
        assert_send_sync::<SeriesKey>();
        assert_send_sync::<Error>();
        assert_send::<SeriesIter<'static>>();
    }

    #[test]
    fn key_packing() {
        let k = SeriesKey::new(&[("__name__", "up"), ("job", "a")]).unwrap();
        assert_eq!(k.as_bytes(), b"\0\x08__name__\0\x02up\0\x03job\0\x01a");
        let labels: Vec<_> = k
            .labels()
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            labels,
            vec![("__name__".into(), "up".into()), ("job".into(), "a".into())]
        );
        assert_eq!(SeriesKey::from_packed(k.as_bytes()).unwrap(), k);
        assert!(SeriesKey::from_packed(b"\0\x08__na").is_err());
        let long = "x".repeat(70000);
        assert_eq!(
            SeriesKey::new(&[("__name__", long.as_str())])
                .unwrap_err()
                .code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn batch_layout() {
        let mut b = Batch::new();
        let k = SeriesKey::new(&[("__name__", "m")]).unwrap();
        b.add(&k, 1, 1.0);
        b.add(&[("__name__", "m")], 2, 2.0);
        b.add(&vec![(String::from("__name__"), String::from("n"))], 3, 3.0);
        assert_eq!(b.len(), 3);
        assert_eq!(b.offsets, vec![0, 13, 26, 39]);
        assert_eq!(&b.keys[..13], k.as_bytes());
        b.clear();
        assert!(b.is_empty());
        assert_eq!(b.offsets, vec![0]);
    }

    #[test]
    fn error_codes_round_trip() {
        for st in -12..=-1 {
            assert_eq!(ErrorCode::from_status(st).status(), st);
        }
        assert_eq!(ErrorCode::from_status(-99), ErrorCode::Other(-99));
        assert_eq!(ErrorCode::Locked.name(), unsafe {
            std::ffi::CStr::from_ptr(sys::vme_status_string(sys::VME_ERR_LOCKED))
                .to_str()
                .unwrap()
        });
    }

    #[test]
    fn abi() {
        check_abi().unwrap();
        assert_eq!(version(), sys::VME_VERSION_STRING);
        assert_eq!(version_number(), sys::VME_VERSION_NUMBER);
    }
}
