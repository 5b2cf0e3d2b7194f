package org.vmengine;

/**
 * What one Prometheus text import did (vme_import_result): the engine's counters for the parsed
 * samples and the parser's line counts. Immutable and thread-safe.
 *
 * @param rows what the engine did with the parsed samples, as for {@link Batch#commit()}
 * @param linesRead lines seen, comments and blank lines included
 * @param linesSkipped malformed lines skipped (always 0 with {@link ImportOptions#strict})
 * @param firstSkippedLine 1-based number of the first skipped line, 0 when none was skipped
 */
public record ImportResult(
    AddResult rows, long linesRead, long linesSkipped, long firstSkippedLine) {

  /**
   * Checks the fields.
   *
   * @param rows what the engine did with the parsed samples
   * @param linesRead lines seen
   * @param linesSkipped malformed lines skipped
   * @param firstSkippedLine 1-based number of the first skipped line, or 0
   * @throws InvalidArgumentException if {@code rows} is null or a count is negative
   */
  public ImportResult {
    if (rows == null) throw new InvalidArgumentException("ImportResult: null rows");
    if (linesRead < 0 || linesSkipped < 0 || firstSkippedLine < 0) {
      throw new InvalidArgumentException(
          "ImportResult: negative count in ("
              + linesRead
              + ", "
              + linesSkipped
              + ", "
              + firstSkippedLine
              + ")");
    }
  }

  /** The JNI layer's counters: long[9] = the six AddResult counters, then the three counts. */
  static ImportResult fromCounters(long[] c) {
    return new ImportResult(
        new AddResult(c[0], c[1], c[2], c[3], c[4], c[5]), c[6], c[7], c[8]);
  }
}
