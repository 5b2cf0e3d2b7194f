//! A Db shared by threads through Arc, closed while they are inside calls. (The only test
//! of this binary, so that its db is alone in the process.)
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use common::{TempDir, Watchdog, T0};
use vmengine::{Batch, Db, ErrorCode, Options, Query, SeriesKey};

#[test]
fn concurrent_calls_with_close_in_the_middle() {
    let _watchdog = Watchdog::new("concurrent_calls_with_close_in_the_middle", 120);
    let dir = TempDir::new("threads");
    let db = Arc::new(Db::open(dir.path(), &Options::new()).unwrap());
    let threads = 6;
    let start = Barrier::new(threads + 1);
    let start = Arc::new(start);
    let ops = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for t in 0..threads {
        let db = Arc::clone(&db);
        let start = Arc::clone(&start);
        let ops = Arc::clone(&ops);
        handles.push(thread::spawn(move || {
            start.wait();
            let key =
                SeriesKey::new(&[("__name__", format!("t{t}")), ("job", "x".to_string())]).unwrap();
            let mut b = Batch::new();
            let mut i = 0i64;
            loop {
                let r: vmengine::Result<()> = match t % 3 {
                    0 => {
                        for _ in 0..100 {
                            b.add(&key, T0 + i * 1000, i as f64);
                            i += 1;
                        }
                        db.write(&mut b).map(|r| assert_eq!(r.rejected(), 0))
                    }
                    1 => db.search(&Query::new()).and_then(|mut it| {
                        while let Some(s) = it.next() {
                            let s = s?;
                            assert_eq!(s.timestamps().len(), s.values().len());
                        }
                        Ok(())
                    }),
                    _ => db
                        .series_count(None)
                        .and_then(|_| db.label_values("__name__", None))
                        .and_then(|_| db.flush()),
                };
                match r {
                    Ok(()) => {
                        ops.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) if e.code == ErrorCode::Closed => return,
                    Err(e) => panic!("thread {t}: unexpected error {e}"),
                }
            }
        }));
    }
    start.wait();
    thread::sleep(Duration::from_millis(300));
    db.close().unwrap();
    for h in handles {
        h.join().expect("worker thread panicked");
    }
    assert!(ops.load(Ordering::Relaxed) > 0);
    assert!(db.is_closed());
    assert_eq!(db.flush().unwrap_err().code, ErrorCode::Closed);
    db.close().unwrap();
}
