package org.vmengine;

import java.time.Duration;
import java.time.Instant;

/** Conversions of java.time values to the engine's milliseconds; errors name the argument. */
final class Times {
  private Times() {}

  /** Milliseconds since the epoch of {@code ts}; InvalidArgumentException for null or overflow. */
  static long toMillis(String what, Instant ts) {
    if (ts == null) throw new InvalidArgumentException(what + ": null instant");
    try {
      return ts.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException(
          what + ": " + ts + " is outside the range of a long of milliseconds");
    }
  }

  /**
   * Milliseconds of a non-negative duration, saturated at Long.MAX_VALUE;
   * InvalidArgumentException for null or a negative duration.
   */
  static long toMillis(String what, Duration d) {
    if (d == null) throw new InvalidArgumentException(what + ": null duration");
    if (d.isNegative()) throw new InvalidArgumentException(what + ": negative duration " + d);
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The text of a timestamp in ms for messages: ISO-8601 UTC, or the number if out of range. */
  static String format(long ms) {
    try {
      return Instant.ofEpochMilli(ms).toString();
    } catch (RuntimeException e) {
      return Long.toString(ms);
    }
  }
}
