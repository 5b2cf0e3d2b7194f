//! Several dbs in one process: closing one must not disturb the others. Alone in its own
//! test binary so that no other test's db masks the scenario.
mod common;

use common::{TempDir, T0};
use vmengine::{Batch, Db, Options, SeriesKey};

/// Two dbs in one process; the first is closed while the second keeps ingesting enough rows
/// to hand raw-row conversions to its background workers, then flushes. (A per-db oneTBB
/// global_control used to lower the worker limit when the first db closed, and the flush
/// then waited forever; the test runner's timeout reports such a hang.)
#[test]
fn second_db_keeps_working_after_first_closes() {
    let dir_a = TempDir::new("two-a");
    let dir_b = TempDir::new("two-b");
    let a = Db::open(dir_a.path(), &Options::new()).unwrap();
    let b = Db::open(
        dir_b.path(),
        &Options::new().set("max_raw_rows_per_shard", "100"),
    )
    .unwrap();
    a.close().unwrap();
    let keys: Vec<SeriesKey> = (0..100)
        .map(|i| SeriesKey::new(&[("__name__", format!("m{i}"))]).unwrap())
        .collect();
    let mut batch = Batch::new();
    for round in 0..50 {
        for k in &keys {
            batch.add(k, T0 + round * 1000, round as f64);
        }
        assert_eq!(b.write(&mut batch).unwrap().rows_added, 100);
    }
    b.flush().unwrap();
    assert_eq!(b.series_count(None).unwrap(), 100);
    b.close().unwrap();
}
