package org.vmengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmengine.internal.VmeNative;

/** Query.toString, the AddResult factories, and the Instant / Duration overloads. */
class ApiTest {
  @TempDir Path dir;

  @Test
  void queryToString() {
    assertEquals("Query{}", Query.all().toString());
    assertEquals("Query{{__name__=\"up\"}}", Query.metric("up").toString());
    Query q =
        Query.selector("node_cpu_seconds_total{mode=~\"idle|user\"}")
            .eq("cpu", "0")
            .neq("job", "a\"b\\c")
            .re("instance", "h.*")
            .nre("dc", "x|y")
            .timeRange(Instant.parse("2026-11-21T10:00:00Z"), Instant.parse("2026-11-21T10:20:00Z"))
            .tenant(1, 2)
            .limit(10);
    assertEquals(
        "Query{node_cpu_seconds_total{mode=~\"idle|user\"}, {cpu=\"0\", job!=\"a\\\"b\\\\c\","
            + " instance=~\"h.*\", dc!~\"x|y\"}, time=[2026-11-21T10:00:00Z,"
            + " 2026-11-21T10:20:00Z], tenant=1:2, limit=10}",
        q.toString());
    assertEquals(
        "Query{{a=\"\"}, time=[1970-01-01T00:00:01Z, max]}",
        Query.all().eq("a", "").timeRange(1000, Query.MAX_TIME).toString());
    assertEquals(
        "Query{time=[min, 1970-01-01T00:00:02Z]}", Query.all().timeRange(0, 2000).toString());
  }

  @Test
  void matchTypesAreTheCValues() {
    assertEquals(VmeNative.MATCH_EQ, Query.MATCH_EQ);
    assertEquals(VmeNative.MATCH_NEQ, Query.MATCH_NEQ);
    assertEquals(VmeNative.MATCH_RE, Query.MATCH_RE);
    assertEquals(VmeNative.MATCH_NRE, Query.MATCH_NRE);
  }

  @Test
  void addResultFactories() {
    assertEquals(new AddResult(0, 0, 0, 0, 0, 0), AddResult.ZERO);
    assertEquals(0, AddResult.ZERO.rejected());
    AddResult a = AddResult.of(5, 1, 2, 3, 4, 6);
    assertEquals(5, a.rowsAdded());
    assertEquals(16, a.rejected());
    assertEquals(a, AddResult.ZERO.plus(a));
    assertEquals(AddResult.of(10, 2, 4, 6, 8, 12), a.plus(a));
    assertEquals(AddResult.of(7, 0, 0, 0, 0, 0), AddResult.ofAdded(7));
    assertSame(AddResult.ZERO, AddResult.ofAdded(0));
    assertThrows(InvalidArgumentException.class, () -> AddResult.of(-1, 0, 0, 0, 0, 0));
    assertThrows(InvalidArgumentException.class, () -> AddResult.ofAdded(-1));
    assertThrows(InvalidArgumentException.class, () -> new AddResult(0, 0, 0, 0, 0, -1));
  }

  @Test
  void emptyCommitIsZero() {
    try (Db db = VmEngine.open(dir)) {
      assertSame(AddResult.ZERO, db.batch().commit());
    }
  }

  @Test
  void instantOverloads() {
    Instant t0 = Instant.ofEpochMilli(DbTest.T);
    Labels l = Labels.metric("inst", "k", "v");
    try (Db db = VmEngine.open(dir)) {
      AddResult r =
          db.batch()
              .add(l, t0, 1)
              .add(l, t0.plusMillis(1000), 2)
              .add(l, t0.plusMillis(2000).plusNanos(999_999), 3) // truncated to ms
              .commit();
      assertEquals(3, r.rowsAdded());
      db.flush();
      Series s = db.searchAll(Query.metric("inst")).get(0);
      assertArrayEquals(new long[] {DbTest.T, DbTest.T + 1000, DbTest.T + 2000}, s.timestamps());
      List<Series> mid =
          db.searchAll(Query.metric("inst").timeRange(t0.plusMillis(500), t0.plusMillis(1500)));
      assertArrayEquals(new double[] {2}, mid.get(0).values(), 0.0);
      Query q = Query.all().timeRange(t0, t0.plusSeconds(1));
      assertEquals(DbTest.T, q.minTime());
      assertEquals(DbTest.T + 1000, q.maxTime());
    }
    assertThrows(
        InvalidArgumentException.class,
        () -> Query.all().timeRange(Instant.ofEpochMilli(2), Instant.ofEpochMilli(1)));
    assertThrows(InvalidArgumentException.class, () -> Query.all().timeRange(null, Instant.EPOCH));
    assertThrows(
        InvalidArgumentException.class, () -> Query.all().timeRange(Instant.MIN, Instant.MAX));
  }

  @Test
  void durationOverloads() {
    long now = System.currentTimeMillis();
    Labels l = Labels.metric("ret");
    // A one-hour retention rejects a row of two hours ago and keeps one of a minute ago.
    try (Db db = VmEngine.open(dir, new Options().retention(Duration.ofHours(1)))) {
      AddResult r = db.batch().add(l, now - 7_200_000, 1).add(l, now - 60_000, 2).commit();
      assertEquals(1, r.rowsAdded());
      assertEquals(1, r.rejectedOutOfRetention());
    }
    // Deduplication with a 10 s interval keeps one sample per interval (after a merge).
    Path dedupDir = dir.resolve("dedup");
    Options o =
        new Options()
            .dedupInterval(Duration.ofSeconds(10))
            .rawRowsFlushInterval(Duration.ofSeconds(1))
            .inmemoryPartsFlushInterval(Duration.ofSeconds(5))
            .finalMergeDelay(Duration.ZERO)
            .walSyncInterval(Duration.ofMillis(100));
    assertEquals(
        "Options{dedup_interval_ms=10000, raw_rows_flush_interval_ms=1000,"
            + " inmemory_parts_flush_interval_ms=5000, final_merge_delay_ms=0,"
            + " wal_sync_interval_ms=100}",
        o.toString());
    long base = DbTest.T / 10_000 * 10_000;
    try (Db db = VmEngine.open(dedupDir, o)) {
      Batch b = db.batch();
      for (int i = 0; i < 20; i++) b.add(l, base + i * 1000L, i);
      assertEquals(20, b.commit().rowsAdded());
      db.flush();
      db.forceMerge();
      assertEquals(2, db.searchAll(Query.metric("ret")).get(0).size());
    }
    assertThrows(
        InvalidArgumentException.class, () -> new Options().retention(Duration.ofMillis(-1)));
    assertThrows(InvalidArgumentException.class, () -> new Options().dedupInterval(null));
    // Beyond a long of ms: saturates to "keep everything".
    assertEquals(
        "Options{retentionMs=" + Long.MAX_VALUE + "}",
        new Options().retention(Duration.ofSeconds(Long.MAX_VALUE)).toString());
    // An option value the engine refuses names the option.
    InvalidArgumentException e =
        assertThrows(
            InvalidArgumentException.class,
            () ->
                VmEngine.open(
                    dir.resolve("bad"), new Options().walSyncInterval(Duration.ofHours(2))));
    assertEquals(true, e.getMessage().contains("wal_sync_interval_ms"), e.getMessage());
  }
}
