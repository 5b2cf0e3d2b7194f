package org.vmengine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.vmengine.internal.NativeDb;
import org.vmengine.internal.NativeQuery;
import org.vmengine.internal.NativeSeriesIter;
import org.vmengine.internal.NativeStats;
import org.vmengine.internal.NativeStrList;

/**
 * An open data directory (vme_db). Obtain one with {@link VmEngine#open}; close it with {@link
 * #close()}, typically through try with resources.
 *
 * <p><b>Thread-safe:</b> any number of threads may add rows, search, flush and so on at once. A
 * {@link ReentrantReadWriteLock} guards the native handle: every call holds the read lock for
 * its duration, {@link #close()} takes the write lock, so close waits for calls in flight and
 * every later call throws {@link ClosedException}. Nothing relies on finalizers or cleaners.
 *
 * <p>Units: timestamps are ms since the Unix epoch (UTC), values IEEE-754 doubles (the engine
 * keeps about 12 significant digits, as VictoriaMetrics does). Rows become searchable after the
 * next background flush (about 1 s) or after {@link #flush()}.
 */
public final class Db implements AutoCloseable {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Lock readLock = lock.readLock();
  private final Lock writeLock = lock.writeLock();
  private final Path path;
  private NativeDb handle; // guarded by lock

  Db(Path path, NativeDb handle) {
    this.path = path;
    this.handle = handle;
  }

  /** The data directory. */
  public Path path() {
    return path;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    readLock.lock();
    try {
      return handle == null;
    } finally {
      readLock.unlock();
    }
  }

  private NativeDb handle() {
    NativeDb h = handle;
    if (h == null) throw new ClosedException("db " + path + " is closed");
    return h;
  }

  /**
   * Makes every row durable, stops background work, releases the directory lock and frees the
   * handle (vme_close). Waits for calls in flight on other threads. Idempotent: later calls do
   * nothing. Throws {@link IoException} if the final flush fails (the handle is released
   * anyway). Open iterators stay valid to close; their next call throws {@link ClosedException}.
   */
  @Override
  public void close() {
    writeLock.lock();
    try {
      NativeDb h = handle;
      handle = null;
      if (h != null) h.close();
    } finally {
      writeLock.unlock();
    }
  }

  /** A new reusable row batch with room for 1024 rows (it grows). Not thread-safe. */
  public Batch batch() {
    return new Batch(this, 1024);
  }

  /** A new reusable row batch sized for {@code capacityRows} rows. Not thread-safe. */
  public Batch batch(int capacityRows) {
    return new Batch(this, capacityRows);
  }

  void addRows(byte[] keys, int[] offsets, long[] ts, double[] values, int n, long[] counters) {
    readLock.lock();
    try {
      handle().addRows(keys, offsets, ts, values, n, counters);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * Adds the samples of one series in one call (vme_add_series): {@code timestamps[i]} (ms since
   * the epoch, UTC) with {@code values[i]}. The arrays are copied; the caller keeps them. Invalid
   * rows are rejected and counted in the result. Throws {@link InvalidArgumentException} if the
   * arrays differ in length, {@link ClosedException}, {@link IoException}.
   */
  public AddResult addSeries(Labels labels, long[] timestamps, double[] values) {
    long[] counters = new long[6];
    readLock.lock();
    try {
      handle().addSeries(labels.packedKey(), timestamps, values, counters);
    } finally {
      readLock.unlock();
    }
    return AddResult.of(counters);
  }

  /** {@link #addSeries(Labels, long[], double[])} with labels given as a map. */
  public AddResult addSeries(Map<String, String> labels, long[] timestamps, double[] values) {
    return addSeries(Labels.of(labels), timestamps, values);
  }

  /**
   * Starts a search (vme_search): the series matching {@code query} with their samples in its
   * time range, in TSID order. Only flushed rows are seen. The returned iterator is not
   * thread-safe and should be closed (try with resources). Throws {@link
   * InvalidArgumentException} (bad regex or selector), {@link LimitException}, {@link
   * ClosedException}, {@link CorruptionException}, {@link IoException}.
   */
  public SeriesIterator search(Query query) {
    readLock.lock();
    try (NativeQuery q = query.toNative()) {
      NativeSeriesIter it = handle().search(q);
      return new SeriesIterator(it);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * {@link #search} as a sequential stream; close the stream (try with resources) to release the
   * native iterator if it is not consumed to the end.
   */
  public Stream<Series> stream(Query query) {
    SeriesIterator it = search(query);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(
                it, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE),
            false)
        .onClose(it::close);
  }

  /** Every search result at once (convenience for small results). */
  public List<Series> searchAll(Query query) {
    List<Series> out = new ArrayList<>();
    try (SeriesIterator it = search(query)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  /** Sorted label names of all series, {@code __name__} included (vme_label_names). */
  public List<String> labelNames() {
    return labelNames(null);
  }

  /** Sorted label names of the series matching {@code query} (null = all; vme_label_names). */
  public List<String> labelNames(Query query) {
    readLock.lock();
    try (NativeQuery q = query == null ? null : query.toNative()) {
      try (NativeStrList list = handle().labelNames(q)) {
        return strings(list);
      }
    } finally {
      readLock.unlock();
    }
  }

  /** Sorted values of label {@code name} over all series ("__name__" for metric names). */
  public List<String> labelValues(String name) {
    return labelValues(name, null);
  }

  /** Sorted values of label {@code name} over the series matching {@code query} (null = all). */
  public List<String> labelValues(String name, Query query) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    readLock.lock();
    try (NativeQuery q = query == null ? null : query.toNative()) {
      try (NativeStrList list = handle().labelValues(n, q)) {
        return strings(list);
      }
    } finally {
      readLock.unlock();
    }
  }

  /** Number of live series (vme_series_count). */
  public long seriesCount() {
    return seriesCount(null);
  }

  /**
   * Number of live series matching {@code query} (null = all). A time range of at most 40 days
   * counts only series with samples on the days it touches (vme_series_count).
   */
  public long seriesCount(Query query) {
    readLock.lock();
    try (NativeQuery q = query == null ? null : query.toNative()) {
      return handle().seriesCount(q);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * Deletes the series matching {@code query}'s matchers over all time (its time range is
   * ignored; it needs at least one matcher) and returns how many were deleted
   * (vme_delete_series).
   */
  public long deleteSeries(Query query) {
    readLock.lock();
    try (NativeQuery q = query.toNative()) {
      return handle().deleteSeries(q);
    } finally {
      readLock.unlock();
    }
  }

  /** Makes every row added so far durable and searchable (vme_flush). */
  public void flush() {
    readLock.lock();
    try {
      handle().flush();
    } finally {
      readLock.unlock();
    }
  }

  /** Merges every partition into one part, applying deletions and retention (vme_force_merge). */
  public void forceMerge() {
    forceMerge(null);
  }

  /** Force merge of the partitions whose name (YYYY_MM) starts with {@code partitionPrefix}. */
  public void forceMerge(String partitionPrefix) {
    byte[] p = Options.utf8(partitionPrefix);
    readLock.lock();
    try {
      handle().forceMerge(p);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * Creates a snapshot under {@code <dir>/snapshots/<name>} and returns its name
   * (vme_snapshot_create; the C string is freed with vme_free).
   */
  public String createSnapshot() {
    readLock.lock();
    try {
      return handle().snapshotCreate();
    } finally {
      readLock.unlock();
    }
  }

  /** Sorted snapshot names (vme_snapshot_list). */
  public List<String> listSnapshots() {
    readLock.lock();
    try (NativeStrList list = handle().snapshotList()) {
      return strings(list);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * Deletes a snapshot (vme_snapshot_delete). Throws {@link NotFoundException} if it does not
   * exist, {@link InvalidArgumentException} for a name that is not a snapshot name.
   */
  public void deleteSnapshot(String name) {
    byte[] n = Options.utf8(name);
    readLock.lock();
    try {
      handle().snapshotDelete(n);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * A point-in-time copy of the engine's statistics (vme_stats_get), e.g. "rows", "parts",
   * "series", "data_bytes"; insertion-ordered, unmodifiable.
   */
  public Map<String, Double> stats() {
    readLock.lock();
    try (NativeStats s = handle().stats()) {
      int n = Math.toIntExact(s.size());
      Map<String, Double> m = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        m.put(new String(s.nameAt(i), StandardCharsets.UTF_8), s.valueAt(i));
      }
      return Collections.unmodifiableMap(m);
    } finally {
      readLock.unlock();
    }
  }

  private static List<String> strings(NativeStrList list) {
    int n = Math.toIntExact(list.size());
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(new String(list.at(i), StandardCharsets.UTF_8));
    return Collections.unmodifiableList(out);
  }
}
