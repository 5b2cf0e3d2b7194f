//! A Db shared by threads through Arc, closed while they are inside calls. (The only test
//! of this binary, so that its db is alone in the process.)
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use common::{TempDir, T0};
use vmengine::{Batch, Db, ErrorCode, Options, Query, SeriesKey};

#[test]
fn concurrent_calls_with_close_in_the_middle() {
    let dir = TempDir::new("threads");
    let db = Arc::new(Db::open(dir.path(), &Options::new()).unwrap());
    let threads = 6;
    let start = Arc::new(Barrier::new(threads + 1));
    // Every worker waits here once, after its first successful call, so that the close below
    // lands while all of them are busy (no sleep). A hang is caught by the runner's timeout.
    let busy = Arc::new(Barrier::new(threads + 1));
    let ops = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for t in 0..threads {
        let db = Arc::clone(&db);
        let start = Arc::clone(&start);
        let busy = Arc::clone(&busy);
        let ops = Arc::clone(&ops);
        handles.push(thread::spawn(move || {
            start.wait();
            let key =
                SeriesKey::new(&[("__name__", format!("t{t}")), ("job", "x".to_string())]).unwrap();
            let mut b = Batch::new();
            let mut i = 0i64;
            let mut announced = false;
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
                        if !announced {
                            busy.wait();
                            announced = true;
                        }
                    }
                    Err(e) if e.code == ErrorCode::Closed => return,
                    Err(e) => panic!("thread {t}: unexpected error {e}"),
                }
            }
        }));
    }
    start.wait();
    busy.wait();
    db.close().unwrap();
    for h in handles {
        h.join().expect("worker thread panicked");
    }
    assert!(ops.load(Ordering::Relaxed) >= threads);
    assert!(db.is_closed());
    assert_eq!(db.flush().unwrap_err().code, ErrorCode::Closed);
    db.close().unwrap();
}
