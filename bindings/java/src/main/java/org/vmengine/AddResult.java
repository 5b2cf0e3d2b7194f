package org.vmengine;

/**
 * Counters of one ingest call (vme_add_result): how many rows the engine accepted and, per
 * reason, how many it rejected. A rejected row is never stored; the call still succeeds for the
 * valid rest. Immutable and thread-safe. Results of several calls add up with {@link
 * #plus(AddResult)} starting from {@link #ZERO}.
 *
 * @param rowsAdded rows accepted into the engine's buffers
 * @param rejectedInvalidLabels rows with a malformed key, over the label limits, or without a
 *     metric name
 * @param rejectedNan rows whose value is NaN other than the Prometheus staleness marker
 * @param rejectedOutOfRetention rows with a timestamp older than now - retention
 * @param rejectedTooFarFuture rows with a timestamp later than now + 2 days
 * @param rejectedInvalidTimestamp rows with a negative timestamp
 */
public record AddResult(
    long rowsAdded,
    long rejectedInvalidLabels,
    long rejectedNan,
    long rejectedOutOfRetention,
    long rejectedTooFarFuture,
    long rejectedInvalidTimestamp) {

  /** No row added, none rejected: the identity of {@link #plus(AddResult)}. */
  public static final AddResult ZERO = new AddResult(0, 0, 0, 0, 0, 0);

  /**
   * Checks the counters.
   *
   * @param rowsAdded rows accepted
   * @param rejectedInvalidLabels rows rejected for their labels
   * @param rejectedNan rows rejected for a NaN value
   * @param rejectedOutOfRetention rows rejected as older than the retention
   * @param rejectedTooFarFuture rows rejected as too far in the future
   * @param rejectedInvalidTimestamp rows rejected for a negative timestamp
   * @throws InvalidArgumentException if a counter is negative
   */
  public AddResult {
    if (rowsAdded < 0
        || rejectedInvalidLabels < 0
        || rejectedNan < 0
        || rejectedOutOfRetention < 0
        || rejectedTooFarFuture < 0
        || rejectedInvalidTimestamp < 0) {
      throw new InvalidArgumentException(
          "AddResult: negative counter in ("
              + rowsAdded
              + ", "
              + rejectedInvalidLabels
              + ", "
              + rejectedNan
              + ", "
              + rejectedOutOfRetention
              + ", "
              + rejectedTooFarFuture
              + ", "
              + rejectedInvalidTimestamp
              + ")");
    }
  }

  /**
   * A result with every counter given, e.g. for a test double of code that ingests rows.
   *
   * @param rowsAdded rows accepted
   * @param rejectedInvalidLabels rows rejected for their labels
   * @param rejectedNan rows rejected for a NaN value
   * @param rejectedOutOfRetention rows rejected as older than the retention
   * @param rejectedTooFarFuture rows rejected as too far in the future
   * @param rejectedInvalidTimestamp rows rejected for a negative timestamp
   * @return the result
   * @throws InvalidArgumentException if a counter is negative
   */
  public static AddResult of(
      long rowsAdded,
      long rejectedInvalidLabels,
      long rejectedNan,
      long rejectedOutOfRetention,
      long rejectedTooFarFuture,
      long rejectedInvalidTimestamp) {
    return new AddResult(
        rowsAdded,
        rejectedInvalidLabels,
        rejectedNan,
        rejectedOutOfRetention,
        rejectedTooFarFuture,
        rejectedInvalidTimestamp);
  }

  /**
   * A result of {@code rowsAdded} rows added and none rejected.
   *
   * @param rowsAdded rows accepted
   * @return the result ({@link #ZERO} for 0)
   * @throws InvalidArgumentException if {@code rowsAdded} is negative
   */
  public static AddResult ofAdded(long rowsAdded) {
    return rowsAdded == 0 ? ZERO : new AddResult(rowsAdded, 0, 0, 0, 0, 0);
  }

  /** The counters of the JNI layer: a long[6] in the order of the record components. */
  static AddResult fromCounters(long[] c) {
    return new AddResult(c[0], c[1], c[2], c[3], c[4], c[5]);
  }

  /**
   * Total rejected rows, all reasons together.
   *
   * @return the sum of the five rejection counters
   */
  public long rejected() {
    return rejectedInvalidLabels
        + rejectedNan
        + rejectedOutOfRetention
        + rejectedTooFarFuture
        + rejectedInvalidTimestamp;
  }

  /**
   * The counter-wise sum of this result and {@code other} (for accumulating over batches).
   *
   * @param other another result
   * @return a new result; this one is unchanged
   */
  public AddResult plus(AddResult other) {
    return new AddResult(
        rowsAdded + other.rowsAdded,
        rejectedInvalidLabels + other.rejectedInvalidLabels,
        rejectedNan + other.rejectedNan,
        rejectedOutOfRetention + other.rejectedOutOfRetention,
        rejectedTooFarFuture + other.rejectedTooFarFuture,
        rejectedInvalidTimestamp + other.rejectedInvalidTimestamp);
  }
}
