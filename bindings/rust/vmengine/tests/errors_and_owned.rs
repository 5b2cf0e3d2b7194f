//! Errors (messages without C function names, `source()`), and the owned iterator
//! (`SeriesIter::into_owned`, a `std::iter::Iterator`).
mod common;

use std::error::Error as _;

use common::{TempDir, T0};
use vmengine::{Batch, Db, Error, ErrorCode, Options, OwnedSeries, Query};

/// 3 series `m{i="0..2"}` with `n` samples each; series i has the values i*100 + j.
fn fill(db: &Db, n: i64) {
    let mut b = Batch::new();
    for i in 0..3i64 {
        let i_s = i.to_string();
        for j in 0..n {
            b.add(
                &[("__name__", "m"), ("i", i_s.as_str())],
                T0 + j * 1000,
                (i * 100 + j) as f64,
            );
        }
    }
    assert_eq!(db.write(&mut b).unwrap().rows_added, 3 * n as u64);
    db.flush().unwrap();
}

#[test]
fn error_messages_name_no_c_function() {
    let dir = TempDir::new("errnames");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 2);
    let mut errors: Vec<(&str, Error)> = vec![
        ("locked", Db::open(dir.path(), &Options::new()).unwrap_err()),
        (
            "unknown option",
            Db::open(dir.path().join("a"), &Options::new().set("no_such", "1")).unwrap_err(),
        ),
        (
            "bad option value",
            Db::open(dir.path().join("b"), &Options::new().set("retention", "x")).unwrap_err(),
        ),
        (
            "negative retention",
            Db::open(dir.path().join("c"), &Options::new().retention_ms(-1)).unwrap_err(),
        ),
        (
            "tiny cache",
            Db::open(dir.path().join("d"), &Options::new().cache_bytes(1)).unwrap_err(),
        ),
        (
            "bad regex",
            db.search(&Query::new().re("i", "(")).unwrap_err(),
        ),
        (
            "bad selector",
            db.search(&Query::from_selector("m{")).unwrap_err(),
        ),
        (
            "min > max",
            db.search(&Query::new().time_range(5, 1)).unwrap_err(),
        ),
        ("limit", db.search(&Query::new().limit(1)).unwrap_err()),
        ("bad snapshot name", db.delete_snapshot("../x").unwrap_err()),
        (
            "missing snapshot",
            db.delete_snapshot("20260101000000-0000000000000000")
                .unwrap_err(),
        ),
        (
            "delete without matcher",
            db.delete_series(&Query::new()).unwrap_err(),
        ),
    ];
    db.close().unwrap();
    errors.push(("closed", db.flush().unwrap_err()));
    for (what, e) in &errors {
        assert!(!e.message.is_empty(), "{what}: empty message");
        assert!(
            !e.message.contains("vme_") && !e.to_string().contains("vme_"),
            "{what}: the message names a C function: {e}"
        );
        // Errors of the C library have no lower-level source.
        assert!(e.source().is_none(), "{what}: unexpected source");
    }
    let unknown = &errors[1].1;
    assert_eq!(unknown.code, ErrorCode::InvalidArgument);
    assert!(unknown.message.contains("no_such"), "{unknown}");
}

#[test]
fn error_sources() {
    let dir = TempDir::new("errsrc");
    // A NUL byte in a path or a string argument: InvalidArgument, caused by a NulError.
    let e = Db::open(dir.path().join("a\0b"), &Options::new()).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("offset"), "{e}");
    let src = e.source().expect("a source");
    assert!(
        src.downcast_ref::<std::ffi::NulError>().is_some(),
        "{src:?}"
    );

    let db = Db::open(dir.path(), &Options::new()).unwrap();
    let e = db.search(&Query::from_selector("up\0")).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("selector"), "{e}");
    assert!(e
        .source()
        .and_then(|s| s.downcast_ref::<std::ffi::NulError>())
        .is_some());

    // Error::with_source for code built on the crate; Clone keeps the source.
    let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "nope");
    let e = Error::with_source(ErrorCode::Io, "reading x", io);
    let e2 = e.clone();
    let src = e2
        .source()
        .unwrap()
        .downcast_ref::<std::io::Error>()
        .unwrap();
    assert_eq!(src.kind(), std::io::ErrorKind::PermissionDenied);
    assert_eq!(e, e2);
    assert!(Error::new(ErrorCode::Io, "x").source().is_none());
    // Boxed as a std error, the chain is walkable.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
    assert!(boxed.source().is_some());
    db.close().unwrap();
}

#[test]
fn owned_iterator_in_for_loops_and_adapters() {
    let dir = TempDir::new("owned");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 5);
    let q = Query::from_selector("m");

    // A plain `for` loop over owned series, kept past the loop.
    let mut kept: Vec<OwnedSeries> = Vec::new();
    for s in db.search(&q).unwrap().into_owned() {
        kept.push(s.unwrap());
    }
    assert_eq!(kept.len(), 3);
    for s in &kept {
        let i: i64 = s.label("i").unwrap().parse().unwrap();
        assert_eq!(s.metric_name(), "m");
        assert_eq!(s.name, format!("m{{i=\"{i}\"}}"));
        assert_eq!(s.len(), 5);
        assert!(!s.is_empty());
        assert_eq!(
            s.timestamps,
            (0..5).map(|j| T0 + j * 1000).collect::<Vec<_>>()
        );
        assert_eq!(
            s.values,
            (0..5).map(|j| (i * 100 + j) as f64).collect::<Vec<_>>()
        );
        assert_eq!(s.samples().nth(1), Some((T0 + 1000, (i * 100 + 1) as f64)));
    }

    // The same data as the lending iterator's copies.
    let mut lending = Vec::new();
    let mut it = db.search(&q).unwrap();
    while let Some(s) = it.next() {
        lending.push(s.unwrap().to_owned());
    }
    drop(it);
    assert_eq!(kept, lending);

    // Adapters: filter, map, sum, collect into Result<Vec<_>>.
    let total: f64 = db
        .search(&q)
        .unwrap()
        .into_owned()
        .map(|s| s.unwrap().values.iter().sum::<f64>())
        .sum();
    assert_eq!(
        total,
        (0..3)
            .map(|i| (0..5).map(|j| (i * 100 + j) as f64).sum::<f64>())
            .sum()
    );
    let mut big: Vec<String> = db
        .search(&q)
        .unwrap()
        .into_owned()
        .filter_map(Result::ok)
        .filter(|s| s.values[0] >= 100.0)
        .map(|s| s.label("i").unwrap().to_string())
        .collect();
    big.sort(); // series come in TSID order
    assert_eq!(big, ["1", "2"]);
    let all: vmengine::Result<Vec<OwnedSeries>> = db.search(&q).unwrap().into_owned().collect();
    assert_eq!(all.unwrap(), kept);
    assert_eq!(db.search(&q).unwrap().collect_owned().unwrap(), kept);

    // Fused: None for good after the end.
    let mut it = db.search(&q).unwrap().into_owned();
    assert_eq!(it.by_ref().count(), 3);
    assert!(it.next().is_none());
    assert!(it.next().is_none());
    drop(it);

    // An empty result.
    assert_eq!(
        db.search(&Query::from_selector("nothing"))
            .unwrap()
            .into_owned()
            .count(),
        0
    );
    db.close().unwrap();
}

#[test]
fn owned_iterator_across_close_and_threads() {
    let dir = TempDir::new("ownedclose");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 3);

    // Moved to another thread and consumed there.
    let it = db.search(&Query::new()).unwrap().into_owned();
    let n = std::thread::scope(|s| {
        s.spawn(move || it.map(|s| s.unwrap().len()).sum::<usize>())
            .join()
            .unwrap()
    });
    assert_eq!(n, 9);

    // Closed under it: one Closed error, then None for good.
    let mut it = db.search(&Query::new()).unwrap().into_owned();
    let first = it.next().unwrap().unwrap();
    assert_eq!(first.len(), 3);
    db.close().unwrap();
    match it.next() {
        Some(Err(e)) => assert_eq!(e.code, ErrorCode::Closed),
        other => panic!("after close: {other:?}"),
    }
    assert!(it.next().is_none());
    // The copy outlives the iterator and the db.
    drop(it);
    assert_eq!(first.values.len(), 3);
}
