package org.vmengine;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * A reusable batch of rows committed with ONE native call (vme_add_rows).
 *
 * <p>{@link #add} only records the row (its {@link Labels}, timestamp and value). {@link
 * #commit()} packs the series keys into one byte[] with int[] offsets, next to the long[]
 * timestamps and double[] values, and passes the four arrays to the JNI layer, which copies
 * them once. The packed keys are cached between commits: rows whose Labels object (by identity)
 * is the one already packed at the same position are not copied again, so a workload that sends
 * the same series in the same order each time (a scrape) packs its keys only once.
 *
 * <p>Created by {@link Db#batch()}; tied to that db. <b>Not thread-safe</b>: use one batch per
 * thread (many batches may commit to one db concurrently). After a successful commit the batch
 * is empty and keeps its buffers (and references to the last packed Labels) for the next rows.
 */
public final class Batch {
  private final Db db;
  private Labels[] rowLabels;
  private long[] timestamps;
  private double[] values;
  private int n;
  // Packed form: keys[offsets[i] .. offsets[i+1]) holds packedLabels[i] for i < packedRows.
  private Labels[] packedLabels;
  private int packedRows;
  private byte[] keys;
  private int[] offsets;
  private final long[] counters = new long[6];

  Batch(Db db, int capacityRows) {
    this.db = db;
    int cap = Math.max(capacityRows, 16);
    rowLabels = new Labels[cap];
    timestamps = new long[cap];
    values = new double[cap];
    packedLabels = new Labels[cap];
    offsets = new int[cap + 1];
    keys = new byte[cap * 48];
  }

  /**
   * Adds a row. Validation (label limits, NaN, retention, future) happens at commit, where invalid
   * rows are rejected and counted in the {@link AddResult}. Reuse one Labels object per series
   * for speed.
   *
   * @param labels the series
   * @param tsMs the timestamp, ms since the epoch (UTC)
   * @param value the value
   * @return this
   * @throws InvalidArgumentException if {@code labels} is null
   */
  public Batch add(Labels labels, long tsMs, double value) {
    if (labels == null) throw new InvalidArgumentException("null labels");
    if (n == rowLabels.length) grow();
    rowLabels[n] = labels;
    timestamps[n] = tsMs;
    values[n] = value;
    n++;
    return this;
  }

  /**
   * Adds a row with an {@link Instant} timestamp (truncated to milliseconds).
   *
   * @param labels the series
   * @param ts the timestamp
   * @param value the value
   * @return this
   * @throws InvalidArgumentException if an argument is null or {@code ts} is outside the range
   *     of a long of milliseconds
   */
  public Batch add(Labels labels, Instant ts, double value) {
    return add(labels, Times.toMillis("Batch.add timestamp", ts), value);
  }

  /**
   * Adds a row for labels given as a map (packs the key for each call; prefer {@link Labels}).
   *
   * @param labels the series' labels, {@code __name__} for the metric name
   * @param tsMs the timestamp, ms since the epoch (UTC)
   * @param value the value
   * @return this
   * @throws InvalidArgumentException if a label name or value is null
   */
  public Batch add(Map<String, String> labels, long tsMs, double value) {
    return add(Labels.of(labels), tsMs, value);
  }

  /**
   * Number of rows not yet committed.
   *
   * @return the row count
   */
  public int size() {
    return n;
  }

  /** Discards the rows not yet committed. */
  public void clear() {
    n = 0;
  }

  /**
   * Adds every row with one vme_add_rows call and empties the batch. Invalid rows are rejected
   * and counted, not thrown. On an exception the batch keeps its rows.
   *
   * @return the engine's counters ({@link AddResult#ZERO} for an empty batch)
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write (rows of the batch already stored stay
   *     stored)
   */
  public AddResult commit() {
    if (n == 0) return AddResult.ZERO;
    pack();
    db.addRows(keys, offsets, timestamps, values, n, counters);
    n = 0;
    return AddResult.fromCounters(counters);
  }

  private void pack() {
    int i = 0;
    int same = Math.min(n, packedRows);
    while (i < same && rowLabels[i] == packedLabels[i]) i++;
    if (i == n) return;
    int pos = offsets[i];
    for (; i < n; i++) {
      Labels l = rowLabels[i];
      byte[] k = l.packedKey();
      int end = pos + k.length;
      if (end > keys.length || end < 0) growKeys(end);
      System.arraycopy(k, 0, keys, pos, k.length);
      pos = end;
      offsets[i + 1] = pos;
      packedLabels[i] = l;
    }
    packedRows = n;
  }

  private void grow() {
    int cap = rowLabels.length * 2;
    rowLabels = Arrays.copyOf(rowLabels, cap);
    timestamps = Arrays.copyOf(timestamps, cap);
    values = Arrays.copyOf(values, cap);
    packedLabels = Arrays.copyOf(packedLabels, cap);
    offsets = Arrays.copyOf(offsets, cap + 1);
  }

  private void growKeys(int needed) {
    if (needed < 0 || needed > Integer.MAX_VALUE - 8) {
      throw new InvalidArgumentException("batch keys exceed 2 GiB; commit earlier");
    }
    long want = Math.max((long) keys.length * 2, needed);
    keys = Arrays.copyOf(keys, (int) Math.min(want, Integer.MAX_VALUE - 8));
  }
}
