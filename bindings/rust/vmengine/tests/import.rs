//! Prometheus text import: the real node_exporter capture, text in memory and from a reader,
//! malformed lines (skipped or strict), files that cannot be read, use after close.
mod common;

use std::error::Error as _;
use std::path::PathBuf;

use common::TempDir;
use vmengine::{Db, ErrorCode, ImportOptions, Options, Query};

fn capture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../examples/data/node_exporter_1s_1200.prom.zst")
}

#[test]
fn node_exporter_capture() {
    let dir = TempDir::new("import-capture");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    let r = db
        .import_prometheus_file(capture(), &ImportOptions::new().strict(true))
        .unwrap();
    assert_eq!(r.rows.rows_added, 608_400, "{r:?}");
    assert_eq!(r.rows.rejected(), 0, "{r:?}");
    assert_eq!(r.lines_read, 608_400);
    assert_eq!(r.lines_skipped, 0);
    assert_eq!(r.first_skipped_line, None);
    db.flush().unwrap();
    assert_eq!(db.series_count(None).unwrap(), 507);

    // One series against the text of the capture: first, second and last sample.
    let q = Query::from_selector(r#"node_cpu_seconds_total{cpu="0",mode="idle"}"#);
    let s: Vec<_> = db.search(&q).unwrap().collect_owned().unwrap();
    assert_eq!(s.len(), 1);
    let s = &s[0];
    assert_eq!(s.name, r#"node_cpu_seconds_total{cpu="0",mode="idle"}"#);
    assert_eq!(s.len(), 1200);
    assert_eq!(s.timestamps[0], 1_795_236_062_122);
    assert_eq!(s.values[0], 332.02);
    assert_eq!(s.timestamps[1], 1_795_236_063_137);
    assert_eq!(s.values[1], 332.09);
    assert_eq!(s.timestamps[1199], 1_795_237_280_961);
    assert_eq!(s.values[1199], 1436.02);

    // Importing it again adds the same samples again (deduplication is off by default) but
    // no series.
    let r2 = db
        .import_prometheus_file(capture(), &ImportOptions::new())
        .unwrap();
    assert_eq!(r2.rows.rows_added, 608_400);
    db.flush().unwrap();
    assert_eq!(db.series_count(None).unwrap(), 507);
    db.close().unwrap();
}

#[test]
fn text_in_memory_and_from_a_reader() {
    let dir = TempDir::new("import-mem");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    let t0: i64 = 1_767_225_600_000;
    let text = format!(
        "# HELP up whether the target is up\n\
         # TYPE up gauge\n\
         up{{job=\"node\",instance=\"h1\"}} 1 {t0}\n\
         \n\
         up{{job=\"db\",instance=\"h2\"}} 0\n\
         temperature_celsius 21.5 {}\n",
        t0 + 1000
    );
    let opts = ImportOptions::new().default_timestamp_ms(t0 + 5000);
    let r = db.import_prometheus(&text, &opts).unwrap();
    assert_eq!(r.rows.rows_added, 3);
    assert_eq!(r.lines_read, 6);
    assert_eq!((r.lines_skipped, r.first_skipped_line), (0, None));
    db.flush().unwrap();
    // The line without a timestamp got the default one.
    let s = db
        .search(&Query::from_selector(r#"up{job="db"}"#))
        .unwrap()
        .collect_owned()
        .unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].timestamps.as_slice(), s[0].values.as_slice()),
        (&[t0 + 5000][..], &[0.0][..])
    );

    // From a reader (bytes), with the same result.
    let r = db
        .import_prometheus_reader(
            std::io::Cursor::new(format!("from_reader{{a=\"b\"}} 7 {t0}\n").into_bytes()),
            &ImportOptions::new(),
        )
        .unwrap();
    assert_eq!((r.rows.rows_added, r.lines_read), (1, 1));
    // Empty text: nothing, no error.
    let r = db.import_prometheus("", &ImportOptions::new()).unwrap();
    assert_eq!((r.rows.rows_added, r.lines_read), (0, 0));
    db.flush().unwrap();
    assert_eq!(db.series_count(None).unwrap(), 4);
    db.close().unwrap();
}

#[test]
fn malformed_lines_skipped_or_strict() {
    let dir = TempDir::new("import-bad");
    let db = Db::open(dir.path(), &Options::new()).unwrap();
    let t0: i64 = 1_767_225_600_000;
    let text = format!("ok_a 1 {t0}\nok_b 2 {t0}\nbroken{{ 3 {t0}\nok_c 4 {t0}\nalso broken\n");

    // Lenient (default): malformed lines are skipped and counted; the others are added.
    let r = db.import_prometheus(&text, &ImportOptions::new()).unwrap();
    assert_eq!(r.rows.rows_added, 3, "{r:?}");
    assert_eq!(r.lines_read, 5);
    assert_eq!(r.lines_skipped, 2);
    assert_eq!(r.first_skipped_line, Some(3));

    // Strict: the first malformed line fails the call, naming the line.
    let e = db
        .import_prometheus(&text, &ImportOptions::new().strict(true))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument, "{e}");
    assert!(
        e.message.starts_with("line 3: "),
        "the error names line 3: {e}"
    );
    assert!(!e.message.contains("vme_"), "{e}");
    // The two samples before it stay added, and the message says so.
    assert!(
        e.message
            .ends_with("; 2 samples of the lines before it were added"),
        "{e}"
    );

    // The same from a file: the error names the file too.
    let file = dir.path().join("bad.prom");
    std::fs::write(&file, &text).unwrap();
    let e = db
        .import_prometheus_file(&file, &ImportOptions::new().strict(true))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument, "{e}");
    assert!(e.message.contains("bad.prom:3: "), "{e}");
    assert!(
        e.message
            .ends_with("; 2 samples of the lines before it were added"),
        "{e}"
    );
    let r = db
        .import_prometheus_file(&file, &ImportOptions::new())
        .unwrap();
    assert_eq!((r.rows.rows_added, r.lines_skipped), (3, 2));
    db.close().unwrap();
}

#[test]
fn unreadable_inputs() {
    let dir = TempDir::new("import-io");
    let db = Db::open(dir.path(), &Options::new()).unwrap();

    // A missing file.
    let missing = dir.path().join("no-such-file.prom");
    let e = db
        .import_prometheus_file(&missing, &ImportOptions::new())
        .unwrap_err();
    assert!(matches!(e.code, ErrorCode::NotFound | ErrorCode::Io), "{e}");
    assert!(e.message.contains("no-such-file.prom"), "{e}");
    assert!(!e.message.contains("were added"), "nothing was added: {e}");

    // A zstd frame header followed by garbage.
    let corrupt = dir.path().join("corrupt.prom.zst");
    let mut bytes = vec![0x28, 0xb5, 0x2f, 0xfd];
    bytes.extend_from_slice(&[0xff; 64]);
    std::fs::write(&corrupt, &bytes).unwrap();
    let e = db
        .import_prometheus_file(&corrupt, &ImportOptions::new())
        .unwrap_err();
    assert!(e.message.contains("corrupt.prom.zst"), "{e}");

    // A NUL byte in the path.
    let e = db
        .import_prometheus_file("a\0b", &ImportOptions::new())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);

    // A reader that fails half-way: Io, with the io::Error as the source; nothing added.
    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "peer went away",
                ));
            }
            let line = b"partial 1 1767225600000\n";
            let n = line.len().min(buf.len());
            buf[..n].copy_from_slice(&line[..n]);
            self.0 -= 1;
            Ok(n)
        }
    }
    let e = db
        .import_prometheus_reader(Failing(2), &ImportOptions::new())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Io, "{e}");
    assert!(e.message.contains("peer went away"), "{e}");
    let src = e
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .expect("the io::Error as source");
    assert_eq!(src.kind(), std::io::ErrorKind::ConnectionReset);
    db.flush().unwrap();
    assert_eq!(db.series_count(None).unwrap(), 0);

    // After close.
    db.close().unwrap();
    let closed = |r: vmengine::Result<vmengine::ImportResult>| {
        assert_eq!(r.unwrap_err().code, ErrorCode::Closed)
    };
    closed(db.import_prometheus_file(capture(), &ImportOptions::new()));
    closed(db.import_prometheus("x 1\n", &ImportOptions::new()));
    closed(db.import_prometheus_reader(&b"x 1\n"[..], &ImportOptions::new()));
}
