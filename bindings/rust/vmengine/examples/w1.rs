//! W1 ingest benchmark through the Rust binding (docs/benchmarks.md, the same
//! workload as bench/w1_bench.c): 10 000 series x 1 000 samples from the xorshift random-walk
//! generator, time-major, 10 000-row batches, one `Db::write` (one `vme_add_rows`) per batch,
//! wall time until durable (flush + close). Then reopens and checks every sample bit for bit.
//!
//! Usage: cargo run --release --example w1 -- DIR [--series N] [--samples M]
//! DIR must not exist or be empty; it is left in place.
use std::time::Instant;

use vmengine::{AddResult, Batch, Db, Options, Query, SeriesKey};

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const STEP_MS: i64 = 10_000;
const BATCH_ROWS: usize = 10_000;

#[derive(Clone, Copy)]
struct Gen {
    x: u64,
    v: f64,
}

impl Gen {
    fn new(k: u64) -> Gen {
        Gen {
            x: (k + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            v: 100.0,
        }
    }

    #[inline]
    fn next(&mut self) -> f64 {
        let mut x = self.x;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.x = x;
        let step = ((x >> 11) as i64 - (1i64 << 52)) as f64 / 4_503_599_627_370_496.0;
        self.v += step;
        (self.v * 100.0).round() / 100.0
    }
}

fn check_generator() {
    let vectors: [(u64, [f64; 5]); 3] = [
        (0, [100.72, 100.51, 100.47, 99.85, 99.2]),
        (1, [100.44, 101.03, 101.94, 102.83, 102.41]),
        (9999, [99.64, 99.12, 99.11, 98.5, 98.38]),
    ];
    for (k, want) in vectors {
        let mut g = Gen::new(k);
        for (i, w) in want.iter().enumerate() {
            let v = g.next();
            assert_eq!(v, *w, "generator k={k} i={i}");
        }
    }
    let mut g = Gen::new(0);
    for _ in 0..999 {
        g.next();
    }
    assert_eq!(g.next(), 92.23, "generator k=0 i=999");
    let (mut sum, mut mn, mut mx) = (0i64, f64::INFINITY, f64::NEG_INFINITY);
    for k in 0..10_000 {
        let mut g = Gen::new(k);
        for _ in 0..1000 {
            let v = g.next();
            sum += (100.0 * v).round() as i64;
            mn = mn.min(v);
            mx = mx.max(v);
        }
    }
    assert_eq!(
        (sum, mn, mx),
        (99_944_557_274, 31.22, 182.28),
        "generator checksum"
    );
}

fn series_key(k: usize) -> SeriesKey {
    let (m, h) = (k / 1000, k % 1000);
    SeriesKey::new(&[
        ("__name__", format!("cpu_usage_{m}")),
        ("host", format!("host-{h:04}")),
        ("region", format!("r{}", h % 10)),
    ])
    .expect("key")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((p * sorted.len() as f64).ceil() as usize).saturating_sub(1);
    sorted[idx.min(sorted.len() - 1)]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let (mut n_series, mut n_samples) = (10_000usize, 1_000usize);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--series" => {
                n_series = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--series N")
            }
            "--samples" => {
                n_samples = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--samples M")
            }
            _ if dir.is_none() => dir = Some(a),
            _ => panic!("usage: w1 DIR [--series N] [--samples M]"),
        }
    }
    let dir = dir.expect("usage: w1 DIR [--series N] [--samples M]");
    if std::fs::read_dir(&dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false)
    {
        eprintln!("{dir} is not empty");
        std::process::exit(1);
    }
    check_generator();

    let keys: Vec<SeriesKey> = (0..n_series).map(series_key).collect();
    let mut gens: Vec<Gen> = (0..n_series as u64).map(Gen::new).collect();
    let total_rows = n_series as u64 * n_samples as u64;
    let mut batch = Batch::with_capacity(BATCH_ROWS, BATCH_ROWS * 48);
    let mut latencies = Vec::with_capacity(total_rows as usize / BATCH_ROWS + 1);
    let mut total = AddResult::default();

    let t_open = Instant::now();
    let db = Db::open(&dir, &Options::new()).expect("open");
    let t_start = Instant::now();
    let open_s = (t_start - t_open).as_secs_f64();
    let mut row = 0u64;
    while row < total_rows {
        let n = (total_rows - row).min(BATCH_ROWS as u64);
        for r in row..row + n {
            let i = r / n_series as u64;
            let k = (r % n_series as u64) as usize;
            batch.add(&keys[k], T0 + i as i64 * STEP_MS, gens[k].next());
        }
        row += n;
        let t = Instant::now();
        total += db.write(&mut batch).expect("write");
        latencies.push(t.elapsed().as_secs_f64());
    }
    let t_added = Instant::now();
    db.flush().expect("flush");
    db.close().expect("close");
    let t_end = Instant::now();
    assert_eq!(total.rows_added, total_rows, "rejected rows: {total:?}");

    // Reopen and check every sample against the generator, bit for bit.
    let db = Db::open(&dir, &Options::new()).expect("reopen");
    let count = db.series_count(None).expect("series_count");
    assert_eq!(count, n_series as u64, "series after reopen");
    let t_q = Instant::now();
    let mut it = db
        .search(&Query::new().re("__name__", ".+"))
        .expect("search");
    let (mut seen, mut samples) = (0usize, 0usize);
    while let Some(s) = it.next() {
        let s = s.expect("next");
        let m: usize = s
            .metric_name()
            .trim_start_matches("cpu_usage_")
            .parse()
            .unwrap();
        let h: usize = s
            .label("host")
            .unwrap()
            .trim_start_matches("host-")
            .parse()
            .unwrap();
        let mut g = Gen::new((m * 1000 + h) as u64);
        assert_eq!(s.len(), n_samples);
        for (i, (ts, v)) in s.samples().enumerate() {
            assert_eq!(ts, T0 + i as i64 * STEP_MS);
            assert_eq!(v.to_bits(), g.next().to_bits(), "series {m}/{h} sample {i}");
        }
        seen += 1;
        samples += s.len();
    }
    drop(it);
    let q_s = t_q.elapsed().as_secs_f64();
    assert_eq!(seen, n_series);
    db.close().expect("close");

    latencies.sort_by(f64::total_cmp);
    let wall = (t_end - t_start).as_secs_f64();
    let add = (t_added - t_start).as_secs_f64();
    println!(
        "W1 (Rust binding): {n_series} series x {n_samples} samples = {total_rows} rows, {} batches of <= {BATCH_ROWS} rows, 1 writer (generation inline)",
        latencies.len()
    );
    println!("{:<44} {:>14.3}", "Db::open (new dir), s", open_s);
    println!("{:<44} {:>14.3}", "ingest wall until durable, s", wall);
    println!("{:<44} {:>14.3}", "  write phase, s", add);
    println!("{:<44} {:>14.3}", "  flush + close, s", wall - add);
    println!(
        "{:<44} {:>14.3}",
        "rows/s until durable, M",
        total_rows as f64 / wall / 1e6
    );
    println!(
        "{:<44} {:>14.3}",
        "rows/s write phase, M",
        total_rows as f64 / add / 1e6
    );
    println!(
        "{:<44} {:>14.3}",
        "batch latency p50, ms",
        1e3 * percentile(&latencies, 0.5)
    );
    println!(
        "{:<44} {:>14.3}",
        "batch latency p99, ms",
        1e3 * percentile(&latencies, 0.99)
    );
    println!("{:<44} {:>14}", "series after reopen", count);
    println!("{:<44} {:>14.3}", "full read + bit-exact check, s", q_s);
    println!("bit-for-bit check of {samples} samples against the generator: OK");
    println!("rows/s: {:.0}", total_rows as f64 / wall);
}
