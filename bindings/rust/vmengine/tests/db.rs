//! End-to-end tests of the safe binding against the real library.
mod common;

use common::{TempDir, T0};
use vmengine::{Batch, Db, ErrorCode, MatchType, Options, OwnedSeries, Query, SeriesKey};

const STEP: i64 = 10_000;

fn labels(m: usize, h: usize) -> Vec<(String, String)> {
    vec![
        ("__name__".to_string(), format!("cpu_{m}")),
        ("host".to_string(), format!("h{h}")),
        ("region".to_string(), format!("r{}", h % 2)),
    ]
}

fn value(k: usize, i: usize) -> f64 {
    // Exactly representable decimals with few digits: they survive the decimal encoding.
    (k as f64) * 1000.0 + (i as f64) * 0.25 - 3.5
}

/// 2 metrics x 3 hosts, `n` samples each, written time-major in batches of one timestamp.
fn fill(db: &Db, n: usize) {
    let keys: Vec<SeriesKey> = (0..6)
        .map(|k| SeriesKey::new(&labels(k / 3, k % 3)).unwrap())
        .collect();
    let mut b = Batch::new();
    for i in 0..n {
        for (k, key) in keys.iter().enumerate() {
            b.add(key, T0 + i as i64 * STEP, value(k, i));
        }
        let r = db.write(&mut b).unwrap();
        assert_eq!(r.rows_added, 6);
        assert_eq!(r.rejected(), 0);
        assert!(b.is_empty());
    }
    db.flush().unwrap();
}

fn all(db: &Db, q: &Query) -> Vec<OwnedSeries> {
    db.search(q).unwrap().collect_owned().unwrap()
}

fn hosts(v: &[OwnedSeries]) -> Vec<String> {
    let mut h: Vec<String> = v
        .iter()
        .map(|s| {
            format!(
                "{}/{}",
                s.label("__name__").unwrap(),
                s.label("host").unwrap()
            )
        })
        .collect();
    h.sort();
    h
}

#[test]
fn round_trip_exact() {
    let dir = TempDir::new("rt");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 50);
    let mut it = db.search(&Query::new()).unwrap();
    let mut seen = 0;
    while let Some(s) = it.next() {
        let s = s.unwrap();
        let m: usize = s.metric_name().trim_start_matches("cpu_").parse().unwrap();
        let h: usize = s
            .label("host")
            .unwrap()
            .trim_start_matches('h')
            .parse()
            .unwrap();
        let k = m * 3 + h;
        assert_eq!(s.len(), 50);
        for (i, (ts, v)) in s.samples().enumerate() {
            assert_eq!(ts, T0 + i as i64 * STEP);
            assert_eq!(v.to_bits(), value(k, i).to_bits(), "series {k} sample {i}");
        }
        let got: Vec<(String, String)> = s
            .labels()
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(got, labels(m, h));
        assert_eq!(
            s.name(),
            format!("cpu_{m}{{host=\"h{h}\",region=\"r{}\"}}", h % 2)
        );
        seen += 1;
    }
    assert_eq!(seen, 6);
    assert!(it.next().is_none());
    drop(it);

    // Columnar add and a time range.
    let ts: Vec<i64> = (0..10).map(|i| T0 + i * 1000).collect();
    let vs: Vec<f64> = (0..10).map(|i| i as f64 * 1.5).collect();
    let r = db
        .add_series(&[("__name__", "col"), ("x", "1")], &ts, &vs)
        .unwrap();
    assert_eq!(r.rows_added, 10);
    db.flush().unwrap();
    let got = all(
        &db,
        &Query::new()
            .eq("__name__", "col")
            .time_range(T0 + 2000, T0 + 4000),
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].timestamps, vec![T0 + 2000, T0 + 3000, T0 + 4000]);
    assert_eq!(got[0].values, vec![3.0, 4.5, 6.0]);
    assert_eq!(
        db.add_series(&[("__name__", "col")], &ts, &vs[..3])
            .unwrap_err()
            .code,
        ErrorCode::InvalidArgument
    );
    db.close().unwrap();
}

#[test]
fn rejected_rows_are_counted() {
    let dir = TempDir::new("rej");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    let mut b = Batch::new();
    b.add(&[("__name__", "ok")], T0, 1.0);
    b.add(&[("job", "no-name")], T0, 1.0);
    b.add(&[("__name__", "nan")], T0, f64::NAN);
    b.add(&[("__name__", "neg")], -5, 1.0);
    let long = "v".repeat(70_000);
    b.add(&[("__name__", long.as_str())], T0, 1.0);
    let r = db.write(&mut b).unwrap();
    assert_eq!(r.rows_added, 1);
    assert_eq!(r.rejected_invalid_labels, 2);
    assert_eq!(r.rejected_nan, 1);
    assert_eq!(r.rejected_invalid_timestamp, 1);
    assert_eq!(r.rejected(), 4);
    assert_eq!(
        db.write(&mut Batch::new()).unwrap(),
        vmengine::AddResult::default()
    );
    db.close().unwrap();
}

#[test]
fn matchers_each_type() {
    let dir = TempDir::new("match");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 5);
    assert_eq!(
        hosts(&all(&db, &Query::new().eq("host", "h1"))),
        ["cpu_0/h1", "cpu_1/h1"]
    );
    assert_eq!(
        hosts(&all(
            &db,
            &Query::new().eq("__name__", "cpu_0").neq("host", "h1")
        )),
        ["cpu_0/h0", "cpu_0/h2"]
    );
    assert_eq!(
        hosts(&all(
            &db,
            &Query::new().eq("__name__", "cpu_1").re("host", "h[02]")
        )),
        ["cpu_1/h0", "cpu_1/h2"]
    );
    assert_eq!(
        hosts(&all(
            &db,
            &Query::new()
                .matcher(MatchType::Nre, "__name__", "cpu_0")
                .nre("host", "h0|h1")
        )),
        ["cpu_1/h2"]
    );
    // Anchored regex: "h" alone matches nothing.
    assert!(all(&db, &Query::new().re("host", "h")).is_empty());
    // A missing label has the value "".
    assert_eq!(all(&db, &Query::new().eq("nolabel", "")).len(), 6);
    db.close().unwrap();
}

#[test]
fn selectors() {
    let dir = TempDir::new("sel");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 5);
    assert_eq!(
        hosts(&all(&db, &Query::from_selector(r#"cpu_1{host=~"h1|h2"}"#))),
        ["cpu_1/h1", "cpu_1/h2"]
    );
    assert_eq!(
        hosts(&all(&db, &Query::from_selector(r#"{region="r1"}"#))),
        ["cpu_0/h1", "cpu_1/h1"]
    );
    assert_eq!(
        hosts(&all(
            &db,
            &Query::from_selector("cpu_0")
                .selector(r#"{region="r0",host!="h0"}"#)
                .eq("region", "r0")
        )),
        ["cpu_0/h2"]
    );
    let e = db.search(&Query::from_selector("cpu_0{host=")).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(!e.message.is_empty());
    db.close().unwrap();
}

#[test]
fn labels_and_counts() {
    let dir = TempDir::new("labels");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 5);
    assert_eq!(
        db.label_names(None).unwrap(),
        ["__name__", "host", "region"]
    );
    assert_eq!(
        db.label_values("__name__", None).unwrap(),
        ["cpu_0", "cpu_1"]
    );
    assert_eq!(db.label_values("host", None).unwrap(), ["h0", "h1", "h2"]);
    assert_eq!(
        db.label_values("host", Some(&Query::new().eq("region", "r1")))
            .unwrap(),
        ["h1"]
    );
    assert!(db.label_values("nope", None).unwrap().is_empty());
    assert_eq!(db.series_count(None).unwrap(), 6);
    assert_eq!(
        db.series_count(Some(&Query::new().eq("__name__", "cpu_1")))
            .unwrap(),
        3
    );
    assert_eq!(
        db.series_count(Some(
            &Query::new()
                .eq("__name__", "cpu_1")
                .time_range(T0, T0 + 3_600_000)
        ))
        .unwrap(),
        3
    );
    db.close().unwrap();
}

#[test]
fn delete_series() {
    let dir = TempDir::new("del");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 5);
    assert_eq!(db.delete_series(&Query::new().eq("host", "h0")).unwrap(), 2);
    assert_eq!(db.series_count(None).unwrap(), 4);
    assert!(all(&db, &Query::new().eq("host", "h0")).is_empty());
    assert_eq!(db.label_values("host", None).unwrap(), ["h1", "h2"]);
    assert_eq!(db.delete_series(&Query::new().eq("host", "h0")).unwrap(), 0);
    db.close().unwrap();
}

#[test]
fn flush_close_reopen() {
    let dir = TempDir::new("reopen");
    {
        let db = Db::open(dir.path(), &Options::new()).unwrap();
        let mut b = Batch::new();
        for i in 0..100 {
            b.add(
                &[("__name__", "persist"), ("k", "v")],
                T0 + i * STEP,
                i as f64 + 0.5,
            );
        }
        assert_eq!(db.write(&mut b).unwrap().rows_added, 100);
        db.close().unwrap(); // durable without an explicit flush
    }
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    let got = all(&db, &Query::new().eq("__name__", "persist"));
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].values,
        (0..100).map(|i| i as f64 + 0.5).collect::<Vec<_>>()
    );
    assert_eq!(
        got[0].labels,
        vec![
            ("__name__".to_string(), "persist".to_string()),
            ("k".into(), "v".into())
        ]
    );
    // Drop closes a still-open db too.
    drop(db);
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    assert_eq!(db.series_count(None).unwrap(), 1);
    db.close().unwrap();
}

#[test]
fn force_merge_and_stats() {
    let dir = TempDir::new("merge");
    let db = Db::open(dir.path(), &Options::new().set("background", "0")).unwrap();
    for round in 0..4 {
        let mut b = Batch::new();
        for i in 0..20 {
            b.add(
                &[("__name__", "m"), ("round", "x")],
                T0 + (round * 20 + i) * STEP,
                (round * 20 + i) as f64,
            );
        }
        db.write(&mut b).unwrap();
        db.flush().unwrap();
    }
    let before = db.stats().unwrap();
    assert!(!before.entries.is_empty());
    assert_eq!(before.get("rows"), Some(80.0), "{before:?}");
    db.force_merge("").unwrap();
    db.force_merge("2026_01").unwrap();
    let after = db.stats().unwrap();
    assert_eq!(after.get("rows"), Some(80.0));
    let b = before.get("parts").expect("stats have no \"parts\" entry");
    let a = after.get("parts").expect("stats have no \"parts\" entry");
    assert!(a <= b && a >= 1.0, "parts {b} -> {a}");
    let got = all(&db, &Query::new().eq("__name__", "m"));
    assert_eq!(got[0].values, (0..80).map(|i| i as f64).collect::<Vec<_>>());
    db.close().unwrap();
}

#[test]
fn snapshots() {
    let dir = TempDir::new("snap");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    fill(&db, 3);
    let name = db
        .create_snapshot()
        .unwrap_or_else(|e| panic!("create_snapshot: {e}"));
    assert_eq!(
        name.len(),
        "YYYYMMDDhhmmss-XXXXXXXXXXXXXXXX".len(),
        "{name}"
    );
    assert!(dir.path().join("snapshots").join(&name).is_dir());
    assert_eq!(db.list_snapshots().unwrap(), vec![name.clone()]);
    assert_eq!(
        db.delete_snapshot("../escape").unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    db.delete_snapshot(&name).unwrap();
    assert!(db.list_snapshots().unwrap().is_empty());
    assert_eq!(
        db.delete_snapshot(&name).unwrap_err().code,
        ErrorCode::NotFound
    );
    db.close().unwrap();
}

#[test]
fn errors() {
    let dir = TempDir::new("err");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    // A second open of the same directory.
    let e = Db::open(dir.path(), &Options::new()).unwrap_err();
    assert_eq!(e.code, ErrorCode::Locked, "{e}");
    assert!(!e.message.is_empty());
    // Bad regex: the engine's (RE2's) message, from the same call.
    let e = db
        .search(&Query::new().re("host", "(unclosed"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.len() > 5, "{e}");
    assert!(e.to_string().contains(&e.message));
    // min > max.
    assert_eq!(
        db.search(&Query::new().time_range(10, 5)).unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    // Bad option.
    let e = Db::open(
        dir.path().join("other"),
        &Options::new().set("no_such_key", "1"),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("no_such_key"), "{e}");
    // Limit.
    fill(&db, 2);
    assert_eq!(
        db.search(&Query::new().limit(2)).unwrap_err().code,
        ErrorCode::Limit
    );

    // An iterator open across the close.
    let mut it = db.search(&Query::new()).unwrap();
    assert!(it.next().unwrap().is_ok());
    db.close().unwrap();
    db.close().unwrap(); // idempotent
    assert!(db.is_closed());
    match it.next() {
        Some(Err(e)) => assert_eq!(e.code, ErrorCode::Closed),
        other => panic!(
            "iterator after close: {:?}",
            other.map(|r| r.map(|s| s.name().to_string()))
        ),
    }
    assert!(it.next().is_none());
    drop(it);

    let closed = |r: vmengine::Result<()>| assert_eq!(r.unwrap_err().code, ErrorCode::Closed);
    let mut b = Batch::new();
    b.add(&[("__name__", "x")], T0, 1.0);
    closed(db.write(&mut b).map(drop));
    closed(db.write(&mut Batch::new()).map(drop));
    assert_eq!(b.len(), 1, "a failed write keeps the rows");
    closed(db.add_series(&[("__name__", "x")], &[T0], &[1.0]).map(drop));
    closed(db.flush());
    closed(db.search(&Query::new()).map(drop));
    closed(db.label_names(None).map(drop));
    closed(db.label_values("host", None).map(drop));
    closed(db.series_count(None).map(drop));
    closed(db.delete_series(&Query::new().eq("a", "b")).map(drop));
    closed(db.force_merge(""));
    closed(db.create_snapshot().map(drop));
    closed(db.list_snapshots().map(drop));
    closed(db.delete_snapshot("x"));
    closed(db.stats().map(drop));

    // The directory is free again.
    Db::open(dir.path(), &Options::new())
        .unwrap()
        .close()
        .unwrap();
}

#[test]
fn iterator_moves_between_threads() {
    let dir = TempDir::new("itmove");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    db.add_series(&[("__name__", "m")], &[T0, T0 + 1], &[1.0, 2.0])
        .unwrap();
    db.flush().unwrap();
    let it = db.search(&Query::new()).unwrap();
    let n = std::thread::scope(|s| {
        s.spawn(move || {
            let mut it = it;
            let mut n = 0;
            while let Some(r) = it.next() {
                n += r.unwrap().len();
            }
            n
        })
        .join()
        .unwrap()
    });
    assert_eq!(n, 2);
    db.close().unwrap();
}
