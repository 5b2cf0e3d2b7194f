package org.vmengine;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.vmengine.internal.NativeDb;
import org.vmengine.internal.NativeQuery;
import org.vmengine.internal.NativeSeriesIter;
import org.vmengine.internal.NativeStats;
import org.vmengine.internal.NativeStrList;
import org.vmengine.internal.VmeNative;

/**
 * An open data directory (vme_db). Obtain one with {@link VmEngine#open}; close it with {@link
 * #close()}, typically through try with resources.
 *
 * <p><b>Thread-safe:</b> any number of threads may add rows, search, flush and so on at once. A
 * {@link ReentrantReadWriteLock} guards the native handle: every call holds the read lock for
 * its duration, {@link #close()} takes the write lock, so close waits for calls in flight and
 * every later call throws {@link ClosedException}.
 *
 * <p><b>Closing:</b> call {@link #close()}. As a safety net, a db that becomes unreachable
 * without having been closed is closed by a {@link Cleaner} after the garbage collector finds it
 * (no finalizer is involved): its rows are made durable and its directory lock is released, and
 * a warning naming the directory is logged (logger {@code org.vmengine.Db}). When that happens
 * depends on the garbage collector, so do not rely on it. Batches, iterators and streams of a db
 * keep it reachable.
 *
 * <p>Units: timestamps are ms since the Unix epoch (UTC), values IEEE-754 doubles (the engine
 * keeps about 12 significant digits, as VictoriaMetrics does). Rows become searchable after the
 * next background flush (about 1 s) or after {@link #flush()}.
 */
public final class Db implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();
  private static final AtomicLong CLEANER_CLOSES = new AtomicLong();

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Lock readLock = lock.readLock();
  private final Lock writeLock = lock.writeLock();
  private final Path path;
  private final Handle state;
  private final Cleaner.Cleanable cleanable;

  /**
   * The native handle and the cleaning action. It must not refer to the Db, or the Db would never
   * become unreachable.
   */
  static final class Handle implements Runnable {
    private final String path;
    private volatile NativeDb handle; // written under the Db's write lock, or by the Cleaner
    private boolean explicit;

    Handle(String path, NativeDb handle) {
      this.path = path;
      this.handle = handle;
    }

    /** Called from close() (explicit) or by the Cleaner (the Db was never closed). */
    @Override
    public void run() {
      NativeDb h = handle;
      handle = null;
      if (h == null) return;
      if (!explicit) {
        CLEANER_CLOSES.incrementAndGet();
        System.getLogger(Db.class.getName())
            .log(
                System.Logger.Level.WARNING,
                "vmengine: the Db of "
                    + path
                    + " was never closed; the Cleaner closes it now (call Db.close(), e.g."
                    + " with try-with-resources)");
        try {
          h.close();
        } catch (RuntimeException e) {
          System.getLogger(Db.class.getName())
              .log(System.Logger.Level.ERROR, "vmengine: closing the Db of " + path + " failed", e);
        }
      } else {
        h.close();
      }
    }

    boolean isClosed() {
      return handle == null;
    }
  }

  Db(Path path, NativeDb handle) {
    this.path = path;
    this.state = new Handle(path.toString(), handle);
    this.cleanable = CLEANER.register(this, state);
  }

  /** The cleaning action (for tests). */
  Handle handleForTest() {
    return state;
  }

  /** How many dbs the Cleaner has closed in this class loader (for tests). */
  static long cleanerCloses() {
    return CLEANER_CLOSES.get();
  }

  /**
   * The data directory.
   *
   * @return the path given to {@link VmEngine#open}
   */
  public Path path() {
    return path;
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    readLock.lock();
    try {
      return state.isClosed();
    } finally {
      readLock.unlock();
    }
  }

  private NativeDb handle() {
    NativeDb h = state.handle;
    if (h == null) throw new ClosedException("db " + path + " is closed");
    return h;
  }

  /**
   * Makes every row durable, stops background work, releases the directory lock and frees the
   * handle (vme_close). Waits for calls in flight on other threads. Idempotent: later calls do
   * nothing. Open iterators stay valid to close; their next call throws {@link ClosedException}.
   *
   * @throws IoException if the final flush fails (the handle is released anyway)
   */
  @Override
  public void close() {
    writeLock.lock();
    try {
      state.explicit = true;
      cleanable.clean();
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * A new reusable row batch with room for 1024 rows (it grows). Not thread-safe.
   *
   * @return an empty batch tied to this db
   */
  public Batch batch() {
    return new Batch(this, 1024);
  }

  /**
   * A new reusable row batch. Not thread-safe.
   *
   * @param capacityRows the number of rows to make room for (it grows)
   * @return an empty batch tied to this db
   */
  public Batch batch(int capacityRows) {
    return new Batch(this, capacityRows);
  }

  void addRows(byte[] keys, int[] offsets, long[] ts, double[] values, int n, long[] counters) {
    readLock.lock();
    try {
      handle().addRows(keys, offsets, ts, values, n, counters);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Adds the samples of one series in one call (vme_add_series): {@code timestamps[i]} with
   * {@code values[i]}. The arrays are copied; the caller keeps them. Invalid rows are rejected
   * and counted in the result.
   *
   * @param labels the series
   * @param timestamps sample timestamps, ms since the epoch (UTC)
   * @param values sample values, as many as timestamps
   * @return the engine's counters
   * @throws InvalidArgumentException if the arrays differ in length
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write
   */
  public AddResult addSeries(Labels labels, long[] timestamps, double[] values) {
    long[] counters = new long[6];
    readLock.lock();
    try {
      handle().addSeries(labels.packedKey(), timestamps, values, counters);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
    return AddResult.fromCounters(counters);
  }

  /**
   * {@link #addSeries(Labels, long[], double[])} with labels given as a map.
   *
   * @param labels the series' labels, {@code __name__} for the metric name
   * @param timestamps sample timestamps, ms since the epoch (UTC)
   * @param values sample values, as many as timestamps
   * @return the engine's counters
   * @throws InvalidArgumentException if the arrays differ in length or a label is null
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write
   */
  public AddResult addSeries(Map<String, String> labels, long[] timestamps, double[] values) {
    return addSeries(Labels.of(labels), timestamps, values);
  }

  /**
   * Imports a file in the Prometheus text exposition format (vme_import_prometheus_file), plain
   * or zstd-compressed (recognised by the zstd magic, not by the name), with the defaults of
   * {@link ImportOptions}: samples without a timestamp get the current time, malformed lines are
   * skipped and counted. HELP, TYPE and comment lines are ignored. The file is streamed; rows are
   * added as for {@link Batch#commit()} (invalid rows rejected and counted).
   *
   * @param file the file to read
   * @return the engine's counters and the parser's line counts
   * @throws NotFoundException if the file does not exist
   * @throws IoException if it cannot be read (the message names the file)
   * @throws CorruptionException if the zstd stream is damaged
   * @throws ClosedException if the db is closed
   */
  public ImportResult importPrometheusFile(Path file) {
    return importPrometheusFile(file, new ImportOptions());
  }

  /**
   * Imports a Prometheus text file with the given options (vme_import_prometheus_file); see
   * {@link #importPrometheusFile(Path)}.
   *
   * @param file the file to read, plain text or zstd
   * @param options the default timestamp and strictness
   * @return the engine's counters and the parser's line counts
   * @throws InvalidArgumentException with {@link ImportOptions#strict(boolean)}, for the first
   *     malformed line (the message names the file and line; the lines before it stay added)
   * @throws NotFoundException if the file does not exist
   * @throws IoException if it cannot be read
   * @throws CorruptionException if the zstd stream is damaged
   * @throws ClosedException if the db is closed
   */
  public ImportResult importPrometheusFile(Path file, ImportOptions options) {
    if (file == null) throw new InvalidArgumentException("importPrometheusFile: null path");
    ImportOptions o = options == null ? new ImportOptions() : options;
    byte[] p = file.toString().getBytes(StandardCharsets.UTF_8);
    int flags = o.strict() ? VmeNative.IMPORT_STRICT : 0;
    long[] counters = new long[9];
    readLock.lock();
    try {
      handle().importPrometheusFile(p, o.defaultTimestampOrNow(), flags, counters);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
    return ImportResult.fromCounters(counters);
  }

  /**
   * Imports Prometheus text exposition format from memory (vme_import_prometheus), with the
   * defaults of {@link ImportOptions}.
   *
   * @param text the text, UTF-8 (not compressed)
   * @return the engine's counters and the parser's line counts
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write
   */
  public ImportResult importPrometheus(byte[] text) {
    return importPrometheus(text, new ImportOptions());
  }

  /**
   * Imports Prometheus text exposition format from memory (vme_import_prometheus). The bytes are
   * copied once; the caller keeps the array.
   *
   * @param text the text, UTF-8 (not compressed)
   * @param options the default timestamp and strictness
   * @return the engine's counters and the parser's line counts
   * @throws InvalidArgumentException with {@link ImportOptions#strict(boolean)}, for the first
   *     malformed line (the message names the line; the lines before it stay added)
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write
   */
  public ImportResult importPrometheus(byte[] text, ImportOptions options) {
    if (text == null) throw new InvalidArgumentException("importPrometheus: null text");
    ImportOptions o = options == null ? new ImportOptions() : options;
    int flags = o.strict() ? VmeNative.IMPORT_STRICT : 0;
    long[] counters = new long[9];
    readLock.lock();
    try {
      handle().importPrometheus(text, o.defaultTimestampOrNow(), flags, counters);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
    return ImportResult.fromCounters(counters);
  }

  /**
   * {@link #importPrometheus(byte[], ImportOptions)} of a string (encoded as UTF-8).
   *
   * @param text the text
   * @param options the default timestamp and strictness
   * @return the engine's counters and the parser's line counts
   * @throws InvalidArgumentException for a null text, or with strict options a malformed line
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write
   */
  public ImportResult importPrometheus(String text, ImportOptions options) {
    if (text == null) throw new InvalidArgumentException("importPrometheus: null text");
    return importPrometheus(text.getBytes(StandardCharsets.UTF_8), options);
  }

  /**
   * Starts a search (vme_search): the series matching {@code query} with their samples in its
   * time range, in TSID order. Only flushed rows are seen. The returned iterator is not
   * thread-safe and should be closed (try with resources).
   *
   * @param query the filter and time range
   * @return an iterator over the matching series
   * @throws InvalidArgumentException for a bad regex or selector
   * @throws LimitException if more series match than {@link Query#limit(long)}
   * @throws ClosedException if the db is closed
   * @throws CorruptionException for a malformed part
   * @throws IoException if a file cannot be read
   */
  public SeriesIterator search(Query query) {
    readLock.lock();
    try (NativeQuery q = query.toNative()) {
      NativeSeriesIter it = handle().search(q);
      return new SeriesIterator(this, it);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * {@link #search} as a sequential stream; close the stream (try with resources) to release the
   * native iterator if it is not consumed to the end.
   *
   * @param query the filter and time range
   * @return an ordered stream of the matching series
   * @throws InvalidArgumentException for a bad regex or selector
   * @throws LimitException if more series match than the query's limit
   * @throws ClosedException if the db is closed
   */
  public Stream<Series> stream(Query query) {
    SeriesIterator it = search(query);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(
                it, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE),
            false)
        .onClose(it::close);
  }

  /**
   * Every search result at once (convenience for small results).
   *
   * @param query the filter and time range
   * @return the matching series, in TSID order
   * @throws InvalidArgumentException for a bad regex or selector
   * @throws LimitException if more series match than the query's limit
   * @throws ClosedException if the db is closed
   */
  public List<Series> searchAll(Query query) {
    List<Series> out = new ArrayList<>();
    try (SeriesIterator it = search(query)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  /**
   * Label names of all series, {@code __name__} included (vme_label_names).
   *
   * @return the sorted names, unmodifiable
   * @throws ClosedException if the db is closed
   */
  public List<String> labelNames() {
    return labelNames(null);
  }

  /**
   * Label names of the series matching a query (vme_label_names).
   *
   * @param query the filter, or null for all series
   * @return the sorted names, unmodifiable
   * @throws InvalidArgumentException for a bad regex or selector
   * @throws ClosedException if the db is closed
   */
  public List<String> labelNames(Query query) {
    readLock.lock();
    try (NativeQuery q = query == null ? null : query.toNative()) {
      try (NativeStrList list = handle().labelNames(q)) {
        return strings(list);
      }
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Values of a label over all series (vme_label_values).
   *
   * @param name the label name; "__name__" for metric names
   * @return the sorted values, unmodifiable
   * @throws ClosedException if the db is closed
   */
  public List<String> labelValues(String name) {
    return labelValues(name, null);
  }

  /**
   * Values of a label over the series matching a query (vme_label_values).
   *
   * @param name the label name; "__name__" for metric names
   * @param query the filter, or null for all series
   * @return the sorted values, unmodifiable
   * @throws InvalidArgumentException for a bad regex or selector
   * @throws ClosedException if the db is closed
   */
  public List<String> labelValues(String name, Query query) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    readLock.lock();
    try (NativeQuery q = query == null ? null : query.toNative()) {
      try (NativeStrList list = handle().labelValues(n, q)) {
        return strings(list);
      }
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Number of live series (vme_series_count).
   *
   * @return the count
   * @throws ClosedException if the db is closed
   */
  public long seriesCount() {
    return seriesCount(null);
  }

  /**
   * Number of live series matching a query (vme_series_count). A time range of at most 40 days
   * counts only series with samples on the days it touches.
   *
   * @param query the filter, or null for all series
   * @return the count
   * @throws InvalidArgumentException for a bad regex or selector
   * @throws ClosedException if the db is closed
   */
  public long seriesCount(Query query) {
    readLock.lock();
    try (NativeQuery q = query == null ? null : query.toNative()) {
      return handle().seriesCount(q);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Deletes the series matching the query's matchers over all time (vme_delete_series; the time
   * range is ignored).
   *
   * @param query the filter; it needs at least one matcher
   * @return how many series were deleted
   * @throws InvalidArgumentException if the query has no matcher, or a bad regex or selector
   * @throws ClosedException if the db is closed
   * @throws MisuseException if the db is read-only
   */
  public long deleteSeries(Query query) {
    readLock.lock();
    try (NativeQuery q = query.toNative()) {
      return handle().deleteSeries(q);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Makes every row added so far durable and searchable (vme_flush).
   *
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write
   */
  public void flush() {
    readLock.lock();
    try {
      handle().flush();
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Merges every partition into one part, applying deletions and retention (vme_force_merge).
   *
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write
   */
  public void forceMerge() {
    forceMerge(null);
  }

  /**
   * Force merge of some partitions (vme_force_merge).
   *
   * @param partitionPrefix the prefix of the partition names (YYYY_MM) to merge; null or "" for
   *     all
   * @throws ClosedException if the db is closed
   * @throws IoException if the engine cannot write
   */
  public void forceMerge(String partitionPrefix) {
    byte[] p = Options.utf8(partitionPrefix);
    readLock.lock();
    try {
      handle().forceMerge(p);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Creates a snapshot under {@code <dir>/snapshots/<name>} (vme_snapshot_create; the C string
   * is freed with vme_free).
   *
   * @return the snapshot's name
   * @throws ClosedException if the db is closed
   * @throws IoException if the snapshot cannot be written
   */
  public String createSnapshot() {
    readLock.lock();
    try {
      return handle().snapshotCreate();
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * The snapshots of the db (vme_snapshot_list).
   *
   * @return sorted snapshot names, unmodifiable
   * @throws ClosedException if the db is closed
   */
  public List<String> listSnapshots() {
    readLock.lock();
    try (NativeStrList list = handle().snapshotList()) {
      return strings(list);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Deletes a snapshot (vme_snapshot_delete).
   *
   * @param name the snapshot's name
   * @throws NotFoundException if it does not exist
   * @throws InvalidArgumentException for a name that is not a snapshot name
   * @throws ClosedException if the db is closed
   */
  public void deleteSnapshot(String name) {
    byte[] n = Options.utf8(name);
    readLock.lock();
    try {
      handle().snapshotDelete(n);
    } finally {
      readLock.unlock();
      Reference.reachabilityFence(this);
    }
  }

  /**
   * A point-in-time copy of the engine's statistics (vme_stats_get), e.g. "rows", "parts",
   * "series", "data_bytes".
   *
   * @return the statistics by name, insertion-ordered, unmodifiable
   * @throws ClosedException if the db is closed
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
      Reference.reachabilityFence(this);
    }
  }

  private static List<String> strings(NativeStrList list) {
    int n = Math.toIntExact(list.size());
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(new String(list.at(i), StandardCharsets.UTF_8));
    return Collections.unmodifiableList(out);
  }

  /**
   * The directory and whether the db is open.
   *
   * @return e.g. {@code Db{/data/metrics, open}}
   */
  @Override
  public String toString() {
    return "Db{" + path + ", " + (state.isClosed() ? "closed" : "open") + "}";
  }
}
