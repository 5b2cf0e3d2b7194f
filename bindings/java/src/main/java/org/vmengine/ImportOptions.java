package org.vmengine;

import java.time.Instant;

/**
 * Options of a Prometheus text import ({@link Db#importPrometheusFile(java.nio.file.Path,
 * ImportOptions)}, {@link Db#importPrometheus(byte[], ImportOptions)}): the timestamp given to
 * samples without one, and whether a malformed line fails the import. Mutable builder, not
 * thread-safe; it holds no native resources.
 */
public final class ImportOptions {
  private Long defaultTimestampMs;
  private boolean strict;

  /**
   * Defaults: samples without a timestamp get the time of the call; malformed lines are skipped.
   */
  public ImportOptions() {}

  /**
   * The timestamp of samples whose line has none.
   *
   * @param tsMs milliseconds since the Unix epoch (UTC)
   * @return this
   */
  public ImportOptions defaultTimestampMs(long tsMs) {
    this.defaultTimestampMs = tsMs;
    return this;
  }

  /**
   * The timestamp of samples whose line has none.
   *
   * @param ts an instant, truncated to milliseconds
   * @return this
   * @throws InvalidArgumentException if {@code ts} is null or outside the range of a long of
   *     milliseconds
   */
  public ImportOptions defaultTimestamp(Instant ts) {
    return defaultTimestampMs(Times.toMillis("defaultTimestamp", ts));
  }

  /**
   * With {@code true} (VME_IMPORT_STRICT), the first malformed line fails the import with {@link
   * InvalidArgumentException} naming the line; the samples of the lines before it stay added.
   * With {@code false} (the default) malformed lines are skipped and counted in {@link
   * ImportResult#linesSkipped()}.
   *
   * @param strict whether a malformed line is an error
   * @return this
   */
  public ImportOptions strict(boolean strict) {
    this.strict = strict;
    return this;
  }

  /**
   * Whether a malformed line fails the import.
   *
   * @return the strict flag
   */
  public boolean strict() {
    return strict;
  }

  /** The default timestamp in ms: the one set, else the current time. */
  long defaultTimestampOrNow() {
    return defaultTimestampMs != null ? defaultTimestampMs : System.currentTimeMillis();
  }

  @Override
  public String toString() {
    return "ImportOptions{defaultTimestamp="
        + (defaultTimestampMs == null ? "now" : Instant.ofEpochMilli(defaultTimestampMs))
        + ", strict="
        + strict
        + "}";
  }
}
