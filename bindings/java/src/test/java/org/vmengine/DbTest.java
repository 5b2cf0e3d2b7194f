package org.vmengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbTest {
  /** A base timestamp three hours ago, on a minute boundary (inside retention, not future). */
  static final long T = (System.currentTimeMillis() - 3 * 3600_000L) / 60_000L * 60_000L;

  @TempDir Path dir;

  static Map<String, Series> byHost(List<Series> list) {
    return list.stream().collect(Collectors.toMap(s -> s.labels().get("host"), s -> s));
  }

  /** Four series m{job=a|b, host=h1..h4}, 10 samples each, flushed. */
  static void addFour(Db db) {
    Batch b = db.batch();
    Labels[] ls = {
      Labels.metric("m", "job", "a", "host", "h1"),
      Labels.metric("m", "job", "a", "host", "h2"),
      Labels.metric("m", "job", "b", "host", "h3"),
      Labels.metric("other", "job", "b", "host", "h4"),
    };
    for (int i = 0; i < 10; i++) {
      for (int k = 0; k < ls.length; k++) b.add(ls[k], T + i * 1000L, k * 100 + i);
    }
    AddResult r = b.commit();
    assertEquals(40, r.rowsAdded());
    assertEquals(0, r.rejected());
    assertEquals(0, b.size());
    db.flush();
  }

  @Test
  void versionAndAbi() {
    assertTrue(VmEngine.version().matches("\\d+\\.\\d+\\.\\d+"), VmEngine.version());
    assertEquals(0, VmEngine.abiVersion());
    assertTrue(VmEngine.versionNumber() >= 100);
  }

  @Test
  void roundTripExactValues() {
    long[] ts = {T, T + 15_000, T + 30_000, T + 45_000, T + 60_000, T + 75_000};
    double[] vs = {1.5, -2.25, 100.72, 0.0, 1e10, 12345.678};
    try (Db db = VmEngine.open(dir, new Options())) {
      AddResult r = db.addSeries(Labels.metric("rt", "host", "a", "dc", "x"), ts, vs);
      assertEquals(6, r.rowsAdded());
      Batch b = db.batch(2);
      for (int i = 0; i < ts.length; i++) b.add(Map.of("__name__", "rt", "host", "b"), ts[i], -vs[i]);
      assertEquals(6, b.commit().rowsAdded());
      db.flush();
      Map<String, Series> got = byHost(db.searchAll(Query.metric("rt")));
      assertEquals(2, got.size());
      Series a = got.get("a");
      assertEquals(List.of("__name__", "dc", "host"), new ArrayList<>(a.labels().keySet()));
      assertEquals(Map.of("__name__", "rt", "host", "a", "dc", "x"), a.labels());
      assertEquals("rt", a.metricName());
      assertArrayEquals(ts, a.timestamps());
      assertArrayEquals(vs, a.values(), 0.0);
      Series bs = got.get("b");
      assertArrayEquals(ts, bs.timestamps());
      for (int i = 0; i < vs.length; i++) assertEquals(-vs[i], bs.values()[i], 0.0);
      List<Series> part = db.searchAll(Query.metric("rt").eq("host", "a").timeRange(T + 15_000, T + 45_000));
      assertEquals(1, part.size());
      assertArrayEquals(new long[] {T + 15_000, T + 30_000, T + 45_000}, part.get(0).timestamps());
      assertArrayEquals(new double[] {-2.25, 100.72, 0.0}, part.get(0).values(), 0.0);
    }
  }

  @Test
  void batchReuseRepacksChangedRows() {
    Labels a = Labels.metric("br", "s", "a");
    Labels b = Labels.metric("br", "s", "b");
    Labels c = Labels.metric("br", "s", "c");
    Labels d = Labels.metric("br", "s", "d", "extra", "a-much-longer-label-value-than-the-others");
    Labels[][] rounds = {{a, b, c}, {a, b, c}, {a, c, b, d}, {a}, {d, d, a}, {a, b}};
    Map<String, List<Double>> want = new java.util.TreeMap<>();
    try (Db db = VmEngine.open(dir)) {
      Batch batch = db.batch(2);
      long ts = T;
      double v = 0;
      for (Labels[] round : rounds) {
        for (Labels l : round) {
          batch.add(l, ts, v);
          want.computeIfAbsent(l.get("s"), x -> new ArrayList<>()).add(v);
          ts += 1000;
          v += 1;
        }
        assertEquals(round.length, batch.commit().rowsAdded());
      }
      batch.add(a, ts, 99).clear(); // discarded
      assertEquals(0, batch.commit().rowsAdded());
      db.flush();
      Map<String, List<Double>> got = new java.util.TreeMap<>();
      for (Series s : db.searchAll(Query.metric("br"))) {
        List<Double> vs = new ArrayList<>();
        for (double x : s.values()) vs.add(x);
        got.put(s.labels().get("s"), vs);
      }
      assertEquals(want, got);
    }
  }

  @Test
  void unicodeLabelsRoundTrip() {
    try (Db db = VmEngine.open(dir)) {
      Labels l = Labels.metric("unicode_m", "city", "Zürich ☃ 😀", "empty", "");
      db.addSeries(l, new long[] {T}, new double[] {42});
      db.flush();
      List<Series> got = db.searchAll(Query.metric("unicode_m").eq("city", "Zürich ☃ 😀"));
      assertEquals(1, got.size());
      assertEquals(Map.of("__name__", "unicode_m", "city", "Zürich ☃ 😀"), got.get(0).labels());
      assertEquals(List.of("Zürich ☃ 😀"), db.labelValues("city"));
    }
  }

  @Test
  void rejectedRowsAreCounted() {
    try (Db db = VmEngine.open(dir)) {
      AddResult r =
          db.batch()
              .add(Labels.of("host", "no-name"), T, 1)
              .add(Labels.metric("ok"), T, Double.NaN)
              .add(Labels.metric("ok"), -5, 1)
              .add(Labels.metric("ok"), T, 2)
              .commit();
      assertEquals(1, r.rowsAdded());
      assertEquals(1, r.rejectedInvalidLabels());
      assertEquals(1, r.rejectedNan());
      assertEquals(1, r.rejectedInvalidTimestamp());
      assertEquals(3, r.rejected());
      assertThrows(
          InvalidArgumentException.class,
          () -> db.addSeries(Labels.metric("x"), new long[] {T, T + 1}, new double[] {1}));
    }
  }

  @Test
  void matchers() {
    try (Db db = VmEngine.open(dir)) {
      addFour(db);
      assertEquals(Map.of("h1", 1, "h2", 1), hosts(db, Query.metric("m").eq("job", "a")));
      assertEquals(Map.of("h3", 1), hosts(db, Query.metric("m").neq("job", "a")));
      assertEquals(Map.of("h1", 1, "h3", 1), hosts(db, Query.all().re("host", "h[13]")));
      assertEquals(Map.of("h2", 1, "h4", 1), hosts(db, Query.all().nre("host", "h[13]")));
      assertEquals(Map.of("h4", 1), hosts(db, Query.all().re("__name__", "oth.*")));
      assertEquals(4, db.searchAll(Query.all()).size());
      assertEquals(0, db.searchAll(Query.metric("absent")).size());
      // {label=""} matches series without the label.
      assertEquals(4, db.searchAll(Query.all().eq("zone", "")).size());
      Series s = db.searchAll(Query.all().eq("host", "h3")).get(0);
      assertEquals(10, s.size());
      for (int i = 0; i < 10; i++) {
        assertEquals(T + i * 1000L, s.timestamps()[i]);
        assertEquals(200 + i, s.values()[i], 0.0);
      }
    }
  }

  static Map<String, Integer> hosts(Db db, Query q) {
    return db.searchAll(q).stream()
        .collect(Collectors.toMap(s -> s.labels().get("host"), s -> 1, Integer::sum));
  }

  @Test
  void selectorAndStream() {
    try (Db db = VmEngine.open(dir)) {
      addFour(db);
      assertEquals(Map.of("h1", 1, "h2", 1, "h3", 1), hosts(db, Query.selector("m")));
      assertEquals(Map.of("h2", 1), hosts(db, Query.selector("m{job=\"a\",host!=\"h1\"}")));
      assertEquals(
          Map.of("h3", 1, "h4", 1), hosts(db, Query.selector("{job=~\"b|c\"}")));
      assertEquals(Map.of("h3", 1), hosts(db, Query.selector("{job=\"b\"}").eq("__name__", "m")));
      try (Stream<Series> st = db.stream(Query.selector("{__name__=~\".+\"}"))) {
        assertEquals(40, st.mapToInt(Series::size).sum());
      }
      try (Stream<Series> st = db.stream(Query.all())) {
        assertTrue(st.findFirst().isPresent()); // closes the iterator early
      }
    }
  }

  @Test
  void labelsAndCounts() {
    try (Db db = VmEngine.open(dir)) {
      addFour(db);
      assertEquals(List.of("__name__", "host", "job"), db.labelNames());
      assertEquals(List.of("a", "b"), db.labelValues("job"));
      assertEquals(List.of("m", "other"), db.labelValues("__name__"));
      assertEquals(List.of("h3", "h4"), db.labelValues("host", Query.all().eq("job", "b")));
      assertEquals(List.of("__name__", "host", "job"), db.labelNames(Query.metric("other")));
      assertEquals(4, db.seriesCount());
      assertEquals(3, db.seriesCount(Query.metric("m")));
      assertEquals(2, db.seriesCount(Query.all().eq("job", "a").timeRange(T, T + 10_000)));
      Map<String, Double> st = db.stats();
      assertFalse(st.isEmpty());
      assertTrue(st.containsKey("rows"), st.toString());
      assertEquals(4.0, st.get("series"), st.toString());
    }
  }

  @Test
  void deleteSeries() {
    try (Db db = VmEngine.open(dir)) {
      addFour(db);
      assertEquals(2, db.deleteSeries(Query.all().eq("job", "a")));
      assertEquals(2, db.seriesCount());
      assertEquals(Map.of("h3", 1, "h4", 1), hosts(db, Query.all()));
      assertEquals(List.of("b"), db.labelValues("job"));
      assertEquals(0, db.deleteSeries(Query.all().eq("job", "a")));
      db.forceMerge();
      assertEquals(Map.of("h3", 1, "h4", 1), hosts(db, Query.all()));
    }
  }

  @Test
  void flushAndReopen() {
    try (Db db = VmEngine.open(dir)) {
      addFour(db);
      db.addSeries(Labels.metric("late", "host", "h9"), new long[] {T, T + 1}, new double[] {7, 8});
      // no flush: close makes the rows durable
    }
    try (Db db = VmEngine.open(dir, new Options().cacheBytes(8 << 20).set("background", "1"))) {
      assertEquals(5, db.seriesCount());
      List<Series> late = db.searchAll(Query.metric("late"));
      assertEquals(1, late.size());
      assertArrayEquals(new double[] {7, 8}, late.get(0).values(), 0.0);
      assertEquals(40, db.searchAll(Query.all().re("job", ".+")).stream().mapToInt(Series::size).sum());
    }
  }

  @Test
  void forceMergeKeepsData() {
    try (Db db = VmEngine.open(dir)) {
      Labels l = Labels.metric("fm", "host", "a");
      for (int round = 0; round < 3; round++) {
        db.addSeries(l, new long[] {T + round * 1000L}, new double[] {round});
        db.flush();
      }
      db.forceMerge();
      db.forceMerge(""); // all partitions again
      Series s = db.searchAll(Query.metric("fm")).get(0);
      assertArrayEquals(new long[] {T, T + 1000, T + 2000}, s.timestamps());
      assertArrayEquals(new double[] {0, 1, 2}, s.values(), 0.0);
    }
  }

  @Test
  void snapshots() {
    try (Db db = VmEngine.open(dir)) {
      addFour(db);
      String name = db.createSnapshot();
      assertNotNull(name);
      assertTrue(name.matches("\\d{14}-[0-9A-F]{16}"), name);
      assertEquals(List.of(name), db.listSnapshots());
      assertTrue(dir.resolve("snapshots").resolve(name).toFile().isDirectory());
      db.deleteSnapshot(name);
      assertEquals(List.of(), db.listSnapshots());
      assertThrows(NotFoundException.class, () -> db.deleteSnapshot(name));
      assertThrows(InvalidArgumentException.class, () -> db.deleteSnapshot("../../etc"));
    }
  }

  @Test
  void lockedOnSecondOpen() {
    try (Db db = VmEngine.open(dir)) {
      LockedException e = assertThrows(LockedException.class, () -> VmEngine.open(dir));
      assertEquals(VmEngineException.LOCKED, e.code());
      assertFalse(e.getMessage().isEmpty());
      assertFalse(db.isClosed()); // the failed open does not disturb the first one
    }
    VmEngine.open(dir).close(); // the lock is released by close
  }

  @Test
  void invalidArguments() {
    try (Db db = VmEngine.open(dir)) {
      addFour(db);
      InvalidArgumentException e =
          assertThrows(InvalidArgumentException.class, () -> db.search(Query.all().re("job", "(")));
      assertEquals(VmEngineException.INVALID_ARGUMENT, e.code());
      assertFalse(e.getMessage().isEmpty());
      assertThrows(InvalidArgumentException.class, () -> db.seriesCount(Query.selector("m{job=")));
      assertThrows(InvalidArgumentException.class, () -> db.deleteSeries(Query.all()));
      assertThrows(InvalidArgumentException.class, () -> Query.all().timeRange(2, 1));
      assertThrows(InvalidArgumentException.class, () -> Labels.of("odd"));
    }
    assertThrows(
        InvalidArgumentException.class,
        () -> VmEngine.open(dir, new Options().set("no_such_option", "1")));
    assertThrows(
        InvalidArgumentException.class, () -> VmEngine.open(dir, new Options().retentionMs(-1)));
  }

  @Test
  void closedDb() {
    Db db = VmEngine.open(dir);
    addFour(db);
    Batch b = db.batch().add(Labels.metric("m"), T, 1);
    SeriesIterator it = db.search(Query.all());
    db.close();
    db.close(); // idempotent
    assertTrue(db.isClosed());
    ClosedException e = assertThrows(ClosedException.class, db::flush);
    assertEquals(VmEngineException.CLOSED, e.code());
    assertThrows(ClosedException.class, b::commit);
    assertEquals(1, b.size()); // kept for a retry
    assertThrows(ClosedException.class, () -> db.search(Query.all()));
    assertThrows(ClosedException.class, db::seriesCount);
    assertThrows(ClosedException.class, db::labelNames);
    assertThrows(ClosedException.class, db::stats);
    assertThrows(ClosedException.class, db::createSnapshot);
    assertThrows(ClosedException.class, db::forceMerge);
    assertThrows(
        ClosedException.class,
        () -> db.addSeries(Labels.metric("m"), new long[] {T}, new double[] {1}));
    // The iterator of a closed db fails cleanly and can still be closed.
    assertThrows(ClosedException.class, it::hasNext);
    it.close();
    it.close();
    assertThrows(ClosedException.class, it::hasNext);
  }

  @Test
  void closedIterator() {
    try (Db db = VmEngine.open(dir)) {
      addFour(db);
      SeriesIterator it = db.search(Query.all());
      assertTrue(it.hasNext());
      it.next();
      it.close();
      assertThrows(ClosedException.class, it::next);
      try (SeriesIterator it2 = db.search(Query.all())) {
        int n = 0;
        while (it2.hasNext()) {
          it2.next();
          n++;
        }
        assertEquals(4, n);
        assertFalse(it2.hasNext()); // exhausted (and already released) is not an error
      }
    }
  }
}
