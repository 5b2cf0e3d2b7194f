package org.vmengine;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vmengine.internal.NativeOptions;

/**
 * Options for {@link VmEngine#open(java.nio.file.Path, Options)} (vme_options). Defaults: keep
 * everything, tenant 0:0, 256 MiB cache budget, no deduplication, background flushes and merges
 * on. Mutable builder, not thread-safe; it holds no native resources (the native options exist
 * only during open). Bad values are reported by {@link VmEngine#open} as {@link
 * InvalidArgumentException} naming the option.
 *
 * <p>Durations are given in milliseconds ({@code long}) or as {@link Duration}s, which are
 * truncated to milliseconds.
 */
public final class Options {
  private Long retentionMs;
  private long accountId = -1;
  private long projectId = -1;
  private Long cacheBytes;
  private final Map<String, String> generic = new LinkedHashMap<>();

  /** Default options. */
  public Options() {}

  /**
   * Default options.
   *
   * @return new default options
   */
  public static Options defaults() {
    return new Options();
  }

  /**
   * The retention (vme_options_set_retention_ms): rows older than now - retention are rejected at
   * ingest and counted in {@link AddResult#rejectedOutOfRetention()}; partitions past it are
   * dropped. 0 (the default) and {@link Long#MAX_VALUE} keep everything.
   *
   * @param retentionMs the retention in milliseconds, at least 0
   * @return this
   */
  public Options retentionMs(long retentionMs) {
    this.retentionMs = retentionMs;
    return this;
  }

  /**
   * The retention as a duration; see {@link #retentionMs(long)}. {@link Duration#ZERO} and
   * durations beyond a long of milliseconds keep everything.
   *
   * @param retention the retention, not negative
   * @return this
   * @throws InvalidArgumentException for null or a negative duration
   */
  public Options retention(Duration retention) {
    return retentionMs(Times.toMillis("retention", retention));
  }

  /**
   * The default tenant of the db (vme_options_set_tenant): AccountID and ProjectID of the rows
   * added and of queries without their own tenant.
   *
   * @param accountId AccountID, an unsigned 32-bit value
   * @param projectId ProjectID, an unsigned 32-bit value
   * @return this
   * @throws InvalidArgumentException if a value is outside 0..2^32-1
   */
  public Options tenant(long accountId, long projectId) {
    Query.checkU32("accountId", accountId);
    Query.checkU32("projectId", projectId);
    this.accountId = accountId;
    this.projectId = projectId;
    return this;
  }

  /**
   * The cache memory budget (vme_options_set_cache_bytes).
   *
   * @param bytes the budget in bytes, at least 1 MiB
   * @return this
   */
  public Options cacheBytes(long bytes) {
    this.cacheBytes = bytes;
    return this;
  }

  /**
   * The deduplication interval (option "dedup_interval_ms", VictoriaMetrics
   * -dedup.minScrapeInterval): per series, one sample is kept per interval. 0 (the default) turns
   * deduplication off.
   *
   * @param interval the interval, not negative
   * @return this
   * @throws InvalidArgumentException for null or a negative duration
   */
  public Options dedupInterval(Duration interval) {
    return setMillis("dedup_interval_ms", interval);
  }

  /**
   * How often raw rows are flushed to in-memory parts (option "raw_rows_flush_interval_ms",
   * default 1 s), after which they are searchable.
   *
   * @param interval the interval, positive
   * @return this
   * @throws InvalidArgumentException for null or a negative duration
   */
  public Options rawRowsFlushInterval(Duration interval) {
    return setMillis("raw_rows_flush_interval_ms", interval);
  }

  /**
   * How often in-memory parts are written to disk (option "inmemory_parts_flush_interval_ms",
   * default 5 s).
   *
   * @param interval the interval, positive
   * @return this
   * @throws InvalidArgumentException for null or a negative duration
   */
  public Options inmemoryPartsFlushInterval(Duration interval) {
    return setMillis("inmemory_parts_flush_interval_ms", interval);
  }

  /**
   * After this long without merges, merge each partition down to fewer parts (option
   * "final_merge_delay_ms"; {@link Duration#ZERO}, the default, turns final merges off).
   *
   * @param delay the delay, not negative
   * @return this
   * @throws InvalidArgumentException for null or a negative duration
   */
  public Options finalMergeDelay(Duration delay) {
    return setMillis("final_merge_delay_ms", delay);
  }

  /**
   * The fdatasync period of the write-ahead log in mode "async" (option "wal_sync_interval_ms",
   * 1 ms to 1 h, default 100 ms).
   *
   * @param interval the interval
   * @return this
   * @throws InvalidArgumentException for null or a negative duration
   */
  public Options walSyncInterval(Duration interval) {
    return setMillis("wal_sync_interval_ms", interval);
  }

  /**
   * A generic option (vme_options_set), e.g. {@code set("retention", "30d")}, {@code
   * set("background", "0")}, {@code set("wal_mode", "sync")}; vmengine.h lists the keys. Unknown
   * keys and bad values fail at open with {@link InvalidArgumentException}.
   *
   * @param key the option name
   * @param value its value as text
   * @return this
   */
  public Options set(String key, String value) {
    generic.put(key, value);
    return this;
  }

  private Options setMillis(String key, Duration d) {
    return set(key, Long.toString(Times.toMillis(key, d)));
  }

  /** Builds the native options; the caller closes them. */
  NativeOptions toNative() {
    NativeOptions o = NativeOptions.make();
    try {
      if (retentionMs != null) o.setRetentionMs(retentionMs);
      if (accountId >= 0) o.setTenant(accountId, projectId);
      if (cacheBytes != null) o.setCacheBytes(cacheBytes);
      for (Map.Entry<String, String> e : generic.entrySet()) {
        o.setOption(utf8(e.getKey()), utf8(e.getValue()));
      }
      return o;
    } catch (RuntimeException e) {
      o.close();
      throw e;
    }
  }

  /** UTF-8 bytes of s (null for null); the JNI layer adds the terminating NUL. */
  static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Options{");
    String sep = "";
    if (retentionMs != null) {
      sb.append("retentionMs=").append(retentionMs);
      sep = ", ";
    }
    if (accountId >= 0) {
      sb.append(sep).append("tenant=").append(accountId).append(':').append(projectId);
      sep = ", ";
    }
    if (cacheBytes != null) {
      sb.append(sep).append("cacheBytes=").append(cacheBytes);
      sep = ", ";
    }
    for (Map.Entry<String, String> e : generic.entrySet()) {
      sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = ", ";
    }
    return sb.append('}').toString();
  }
}
