package org.vmengine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.vmengine.AddResult;
import org.vmengine.Batch;
import org.vmengine.Db;
import org.vmengine.Labels;
import org.vmengine.Query;
import org.vmengine.Series;
import org.vmengine.SeriesIterator;
import org.vmengine.VmEngine;

/**
 * W1 ingest benchmark of the Java binding (docs/benchmarks.md, W1), the same workload as the C
 * program bench/w1_bench.c: 10,000 series x 1,000 samples from the xorshift random-walk
 * generator, time-major, 10,000-row batches with one native call per batch (Batch.commit), wall
 * time from after open until durable (flush + close). Not a test.
 *
 * <p>Usage: {@code java -cp target/classes:target/test-classes org.vmengine.bench.W1Bench DIR
 * [--series N] [--samples M] [--no-verify] [--no-warmup]} (DIR must be missing or empty; the
 * native libraries load from target/classes as from the jar). bench.sh runs it next to the C
 * benchmark.
 */
public final class W1Bench {
  static final long T0 = 1767225600000L; // 2026-01-01T00:00:00Z
  static final long STEP_MS = 10_000;
  static final int BATCH_ROWS = 10_000;

  /** Generator state of one series (xorshift64 random walk). */
  public static final class Gen {
    long x;
    double v;

    public Gen(long k) {
      x = (k + 1) * 0x9E3779B97F4A7C15L;
      v = 100.0;
    }

    public double next() {
      long y = x;
      y ^= y << 13;
      y ^= y >>> 7;
      y ^= y << 17;
      x = y;
      double step = (double) ((y >>> 11) - (1L << 52)) / 4503599627370496.0;
      v = v + step;
      return roundHalfAway(v * 100.0) / 100.0;
    }
  }

  /**
   * C round(): half away from zero (Math.round differs: it rounds half up). floor(|x| + 0.5) is
   * exact unless |x| + 0.5 rounded up across an integer, which the (exact, by Sterbenz) test
   * r - |x| > 0.5 detects; written this way the branch is predictable.
   */
  static double roundHalfAway(double x) {
    double a = Math.abs(x);
    double r = Math.floor(a + 0.5);
    if (r - a > 0.5) r -= 1.0;
    return Math.copySign(r, x);
  }

  static void checkGenerator() {
    long[] ks = {0, 1, 9999};
    double[][] want = {
      {100.72, 100.51, 100.47, 99.85, 99.2},
      {100.44, 101.03, 101.94, 102.83, 102.41},
      {99.64, 99.12, 99.11, 98.5, 98.38}
    };
    for (int i = 0; i < ks.length; i++) {
      Gen g = new Gen(ks[i]);
      for (int j = 0; j < 5; j++) {
        double v = g.next();
        if (v != want[i][j]) throw new AssertionError("generator k=" + ks[i] + " i=" + j + ": " + v);
      }
    }
    long sum = 0;
    double mn = Double.POSITIVE_INFINITY;
    double mx = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < 10_000; k++) {
      Gen g = new Gen(k);
      for (int j = 0; j < 1000; j++) {
        double v = g.next();
        if (k == 0 && j == 999 && v != 92.23) throw new AssertionError("k=0 i=999: " + v);
        sum += (long) roundHalfAway(100.0 * v);
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
      }
    }
    if (sum != 99_944_557_274L || mn != 31.22 || mx != 182.28) {
      throw new AssertionError("generator checksum " + sum + " min " + mn + " max " + mx);
    }
  }

  /** Appends rows [row, row + rows) of the time-major stream, generating values inline. */
  static void fill(Batch batch, Labels[] series, long[] genX, double[] genV, long row, int rows) {
    int nSeries = series.length;
    int k = (int) (row % nSeries);
    long ts = T0 + (row / nSeries) * STEP_MS;
    for (int j = 0; j < rows; j++) {
      long x = genX[k];
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      genX[k] = x;
      double v = genV[k] + (double) ((x >>> 11) - (1L << 52)) / 4503599627370496.0;
      genV[k] = v;
      batch.add(series[k], ts, roundHalfAway(v * 100.0) / 100.0);
      if (++k == nSeries) {
        k = 0;
        ts += STEP_MS;
      }
    }
  }

  /** CPU time of the whole process (all threads, user + system) in ns, or -1. */
  static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  static Labels labels(int k) {
    return Labels.of(
        "__name__", "cpu_usage_" + (k / 1000),
        "host", "host-" + Integer.toString(10000 + k % 1000).substring(1),
        "region", "r" + (k % 1000) % 10);
  }

  public static void main(String[] args) throws Exception {
    Path dir = null;
    int nSeries = 10_000;
    int nSamples = 1000;
    boolean verify = true;
    boolean packOnly = false;
    boolean warmup = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--series" -> nSeries = Integer.parseInt(args[++i]);
        case "--samples" -> nSamples = Integer.parseInt(args[++i]);
        case "--no-verify" -> verify = false;
        case "--pack-only" -> packOnly = true;
        case "--no-warmup" -> warmup = false;
        default -> dir = Paths.get(args[i]);
      }
    }
    if (dir == null || nSeries <= 0 || nSeries > 10_000 || nSamples <= 0) {
      System.err.println("usage: W1Bench DIR [--series N] [--samples M] [--no-verify] [--no-warmup]");
      System.exit(2);
    }
    if (Files.exists(dir)) {
      try (var s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          System.err.println(dir + " exists and is not empty");
          System.exit(2);
        }
      }
    }
    checkGenerator();
    System.out.println("generator: test vectors and checksum 99944557274 OK");
    System.out.println("vmengine " + VmEngine.version() + " (ABI " + VmEngine.abiVersion() + ")");

    Labels[] series = new Labels[nSeries];
    long[] genX = new long[nSeries];
    double[] genV = new double[nSeries];
    for (int k = 0; k < nSeries; k++) {
      series[k] = labels(k);
      Gen g = new Gen(k);
      genX[k] = g.x;
      genV[k] = g.v;
    }
    long totalRows = (long) nSeries * nSamples;
    int nBatches = (int) ((totalRows + BATCH_ROWS - 1) / BATCH_ROWS);
    double[] latencies = new double[nBatches];
    int nLat = 0;
    AddResult total = new AddResult(0, 0, 0, 0, 0, 0);

    long tOpen = System.nanoTime();
    Db db = VmEngine.open(dir);
    long tOpened = System.nanoTime();
    // JIT warm-up of the generator loop (the benchmark's own code) on scratch state, never
    // committed, so that the timed section does not wait for its compilation; the C program is
    // compiled ahead of time. --no-warmup skips it.
    if (warmup) {
      long[] wx = genX.clone();
      double[] wv = genV.clone();
      Batch wb = db.batch(BATCH_ROWS);
      for (int i = 0; i < 30; i++) {
        fill(wb, series, wx, wv, (long) i * BATCH_ROWS, BATCH_ROWS);
        wb.clear();
      }
    }
    long cpuStart = processCpuNanos();
    if (Boolean.getBoolean("w1.trace")) System.out.println("=== ingest start");
    long tStart = System.nanoTime();
    Batch batch = db.batch(BATCH_ROWS);
    long row = 0;
    while (row < totalRows) {
      int rows = (int) Math.min(BATCH_ROWS, totalRows - row);
      fill(batch, series, genX, genV, row, rows);
      row += rows;
      long t = System.nanoTime();
      if (packOnly) {
        batch.clear();
        continue;
      }
      total = total.plus(batch.commit());
      latencies[nLat++] = (System.nanoTime() - t) / 1e9;
    }
    if (packOnly) {
      System.out.printf(
          "generation + Batch.add only (no commit): %.3f s for %d rows%n",
          (System.nanoTime() - tStart) / 1e9, totalRows);
      db.close();
      return;
    }
    long tAdded = System.nanoTime();
    db.flush();
    db.close();
    long tEnd = System.nanoTime();
    long cpuEnd = processCpuNanos();
    if (Boolean.getBoolean("w1.trace")) System.out.println("=== ingest end");
    if (total.rowsAdded() != totalRows) {
      throw new AssertionError("only " + total.rowsAdded() + " of " + totalRows + " rows added: " + total);
    }
    Arrays.sort(latencies, 0, nLat);
    double wall = (tEnd - tStart) / 1e9;
    double addPhase = (tAdded - tStart) / 1e9;
    System.out.printf(
        "%nW1 (Java binding): %d series x %d samples = %d rows, %d batches of <= %d rows, 1 writer%n",
        nSeries, nSamples, totalRows, nBatches, BATCH_ROWS);
    System.out.printf("%-44s %14.3f%n", "open (new dir), s", (tOpened - tOpen) / 1e9);
    System.out.printf("%-44s %14.3f%n", "ingest wall until durable, s", wall);
    System.out.printf("%-44s %14.3f%n", "  add phase (Batch.commit), s", addPhase);
    System.out.printf("%-44s %14.3f%n", "  flush + close, s", wall - addPhase);
    System.out.printf("%-44s %14.3f%n", "rows/s until durable, M", totalRows / wall / 1e6);
    System.out.printf("%-44s %14.3f%n", "rows/s add phase, M", totalRows / addPhase / 1e6);
    if (cpuStart >= 0) {
      System.out.printf(
          "%-44s %14.3f%n", "process CPU time during ingest, s", (cpuEnd - cpuStart) / 1e9);
    }
    double commitSum = 0;
    for (int i = 0; i < nLat; i++) commitSum += latencies[i];
    System.out.printf("%-44s %14.3f%n", "  of which in Batch.commit, s", commitSum);
    System.out.printf("%-44s %14.3f%n", "batch latency p50, ms", 1e3 * latencies[nLat / 2]);
    System.out.printf(
        "%-44s %14.3f%n",
        "batch latency p99, ms",
        1e3 * latencies[Math.max(0, (int) Math.ceil(0.99 * nLat) - 1)]);
    System.out.printf("%-44s %14.3f%n", "batch latency max, ms", 1e3 * latencies[nLat - 1]);

    if (verify) {
      long t = System.nanoTime();
      try (Db again = VmEngine.open(dir)) {
        long count = again.seriesCount();
        if (count != nSeries) throw new AssertionError("seriesCount " + count);
        boolean[] seen = new boolean[nSeries];
        int got = 0;
        try (SeriesIterator it =
            again.search(
                Query.all().re("__name__", ".+").timeRange(T0, T0 + (nSamples - 1) * STEP_MS))) {
          while (it.hasNext()) {
            Series s = it.next();
            int m = Integer.parseInt(s.metricName().substring("cpu_usage_".length()));
            int h = Integer.parseInt(s.labels().get("host").substring("host-".length()));
            int k = m * 1000 + h;
            if (seen[k] || s.size() != nSamples) throw new AssertionError("bad series " + s);
            seen[k] = true;
            Gen g = new Gen(k);
            for (int j = 0; j < nSamples; j++) {
              double want = g.next();
              if (s.timestamps()[j] != T0 + j * STEP_MS
                  || Double.doubleToRawLongBits(s.values()[j]) != Double.doubleToRawLongBits(want)) {
                throw new AssertionError(s + " sample " + j + ": " + s.values()[j] + " want " + want);
              }
            }
            got++;
          }
        }
        if (got != nSeries) throw new AssertionError(got + " series");
      }
      System.out.printf(
          "%-44s %14.3f%n", "reopen + q4 bit-for-bit check (Java), s", (System.nanoTime() - t) / 1e9);
      System.out.println("q4 bit-for-bit check against the generator: OK");
    }
  }
}
