package org.vmengine;

import java.util.Map;

/**
 * One series of a search result: its labels and its samples in the query's time range, sorted
 * by timestamp. The arrays were copied out of the engine (vme_series_iter_copy_samples) and
 * belong to this object; {@link #timestamps()} and {@link #values()} return them without
 * copying. Timestamps are ms since the Unix epoch (UTC), values IEEE-754 doubles.
 */
public final class Series {
  private final Map<String, String> labels;
  private final long[] timestamps;
  private final double[] values;

  Series(Map<String, String> labels, long[] timestamps, double[] values) {
    this.labels = labels;
    this.timestamps = timestamps;
    this.values = values;
  }

  /**
   * The labels, metric name first as {@code __name__}, then the other labels in canonical order.
   *
   * @return an unmodifiable map
   */
  public Map<String, String> labels() {
    return labels;
  }

  /**
   * The metric name (label {@code __name__}).
   *
   * @return the name, or "" if none
   */
  public String metricName() {
    return labels.getOrDefault(Labels.METRIC_NAME, "");
  }

  /**
   * The sample timestamps, ascending.
   *
   * @return ms since the epoch (UTC); the series' own array, not a copy
   */
  public long[] timestamps() {
    return timestamps;
  }

  /**
   * The sample values, parallel to {@link #timestamps()}.
   *
   * @return the series' own array, not a copy
   */
  public double[] values() {
    return values;
  }

  /**
   * Number of samples.
   *
   * @return the length of both arrays
   */
  public int size() {
    return timestamps.length;
  }

  @Override
  public String toString() {
    return labels + " (" + timestamps.length + " samples)";
  }
}
