use vmengine::{Db, ImportOptions, Options, Query};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The node_exporter capture in the vmengine repository: 507 series x 1,200 scrapes.
    let capture = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data/node_exporter_1s_1200.prom.zst".to_string());
    let dir = std::env::temp_dir().join(format!("vmengine-quickstart-{}", std::process::id()));

    // No retention limit by default: the capture's November 2026 samples are all kept.
    let db = Db::open(&dir, &Options::new())?;
    let r = db.import_prometheus_file(&capture, &ImportOptions::new())?;
    let (samples, lines) = (r.rows.rows_added, r.lines_read);
    println!("imported {samples} samples from {lines} lines");
    db.flush()?; // samples are searchable after a flush (or within about a second)

    // A PromQL selector; `into_owned()` turns the search into a std Iterator of owned series.
    let query = Query::from_selector(r#"node_cpu_seconds_total{mode="idle"}"#);
    for series in db.search(&query)?.into_owned() {
        let s = series?; // an OwnedSeries: name, labels, timestamps (ms), values
        let idle = s.values[s.len() - 1] - s.values[0];
        println!("{}: {} samples, {idle:.1} s idle", s.name, s.len());
    }

    println!("series: {}", db.series_count(None)?);
    println!("metric names: {}", db.label_values("__name__", None)?.len());
    db.close()?; // makes everything durable; reports errors of the final flush
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
