package org.vmengine;

/**
 * Counters of one ingest call (vme_add_result). A rejected row is never stored; the call still
 * succeeds for the valid rest. Immutable.
 *
 * @param rowsAdded rows accepted into the engine's buffers
 * @param rejectedInvalidLabels malformed key, over the label limits, or no metric name
 * @param rejectedNan NaN values other than the Prometheus staleness marker
 * @param rejectedOutOfRetention timestamps older than now - retention
 * @param rejectedTooFarFuture timestamps later than now + 2 days
 * @param rejectedInvalidTimestamp negative timestamps
 */
public record AddResult(
    long rowsAdded,
    long rejectedInvalidLabels,
    long rejectedNan,
    long rejectedOutOfRetention,
    long rejectedTooFarFuture,
    long rejectedInvalidTimestamp) {

  static AddResult of(long[] c) {
    return new AddResult(c[0], c[1], c[2], c[3], c[4], c[5]);
  }

  /** Total rejected rows. */
  public long rejected() {
    return rejectedInvalidLabels
        + rejectedNan
        + rejectedOutOfRetention
        + rejectedTooFarFuture
        + rejectedInvalidTimestamp;
  }

  /** Sum of two results (for accumulating over batches). */
  public AddResult plus(AddResult o) {
    return new AddResult(
        rowsAdded + o.rowsAdded,
        rejectedInvalidLabels + o.rejectedInvalidLabels,
        rejectedNan + o.rejectedNan,
        rejectedOutOfRetention + o.rejectedOutOfRetention,
        rejectedTooFarFuture + o.rejectedTooFarFuture,
        rejectedInvalidTimestamp + o.rejectedInvalidTimestamp);
  }
}
