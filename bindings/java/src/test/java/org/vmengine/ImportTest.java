package org.vmengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Db.importPrometheus / importPrometheusFile over vme_import_prometheus(_file). */
class ImportTest {
  static final long T = DbTest.T;

  @TempDir Path dir;

  @Test
  void importTextWithAndWithoutTimestamps() {
    String text =
        "# HELP up whether the target is up\n"
            + "# TYPE up gauge\n"
            + "up{job=\"a\",instance=\"h1\"} 1 "
            + T
            + "\n"
            + "up{job=\"a\",instance=\"h1\"} 0 "
            + (T + 1000)
            + "\n"
            + "\n"
            + "no_ts{k=\"v\"} 2.5\n";
    try (Db db = VmEngine.open(dir)) {
      ImportOptions o = new ImportOptions().defaultTimestamp(Instant.ofEpochMilli(T + 5));
      ImportResult r = db.importPrometheus(text, o);
      assertEquals(new ImportResult(AddResult.ofAdded(3), 6, 0, 0), r);
      db.flush();
      Series up = db.searchAll(Query.selector("up{job=\"a\"}")).get(0);
      assertEquals("h1", up.labels().get("instance"));
      assertArrayEquals(new long[] {T, T + 1000}, up.timestamps());
      assertArrayEquals(new double[] {1, 0}, up.values(), 0.0);
      Series noTs = db.searchAll(Query.metric("no_ts")).get(0);
      assertArrayEquals(new long[] {T + 5}, noTs.timestamps());
      assertArrayEquals(new double[] {2.5}, noTs.values(), 0.0);
    }
  }

  @Test
  void malformedLinesAreSkippedOrFailTheStrictImport() {
    byte[] text =
        ("good 1 " + T + "\nbad{ 1 " + T + "\ngood 2 " + (T + 1) + "\nalso bad\n")
            .getBytes(StandardCharsets.UTF_8);
    try (Db db = VmEngine.open(dir)) {
      ImportResult r = db.importPrometheus(text);
      assertEquals(2, r.rows().rowsAdded());
      assertEquals(4, r.linesRead());
      assertEquals(2, r.linesSkipped());
      assertEquals(2, r.firstSkippedLine());
      InvalidArgumentException e =
          assertThrows(
              InvalidArgumentException.class,
              () -> db.importPrometheus(text, new ImportOptions().strict(true)));
      assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
  }

  @Test
  void rejectedSamplesAreCounted() {
    try (Db db = VmEngine.open(dir)) {
      ImportResult r = db.importPrometheus("m 1 -5\nm NaN " + T + "\nm 3 " + T + "\n", null);
      assertEquals(AddResult.of(1, 0, 1, 0, 0, 1), r.rows());
    }
  }

  @Test
  void importFileErrorsNameTheFile() throws Exception {
    try (Db db = VmEngine.open(dir)) {
      Path missing = dir.resolve("no-such-file.prom");
      NotFoundException nf =
          assertThrows(NotFoundException.class, () -> db.importPrometheusFile(missing));
      assertTrue(nf.getMessage().contains(missing.toString()), nf.getMessage());
      Path bad = dir.resolve("bad.prom");
      Files.writeString(bad, "ok 1 " + T + "\n}{ nonsense\n");
      InvalidArgumentException ia =
          assertThrows(
              InvalidArgumentException.class,
              () -> db.importPrometheusFile(bad, new ImportOptions().strict(true)));
      assertTrue(ia.getMessage().contains(bad + ":2"), ia.getMessage());
      // The line before the malformed one stays stored.
      db.flush();
      assertEquals(1, db.seriesCount(Query.metric("ok")));
      Path zst = dir.resolve("truncated.prom.zst");
      byte[] capture = Files.readAllBytes(QuickstartTest.capture());
      Files.write(zst, java.util.Arrays.copyOf(capture, 4096));
      assertThrows(CorruptionException.class, () -> db.importPrometheusFile(zst));
    }
  }

  @Test
  void importCaptureFile() {
    try (Db db = VmEngine.open(dir)) {
      ImportResult r = db.importPrometheusFile(QuickstartTest.capture());
      assertEquals(new ImportResult(AddResult.ofAdded(608_400), 608_400, 0, 0), r);
      db.flush();
      assertEquals(507, db.seriesCount());
      Series load = db.searchAll(Query.metric("node_load1")).get(0);
      assertEquals(1200, load.size());
    }
  }

  @Test
  void importOnClosedDb() {
    Db db = VmEngine.open(dir);
    db.close();
    assertThrows(ClosedException.class, () -> db.importPrometheus("m 1\n", null));
    assertThrows(ClosedException.class, () -> db.importPrometheusFile(QuickstartTest.capture()));
    assertThrows(InvalidArgumentException.class, () -> db.importPrometheus((byte[]) null, null));
  }
}
