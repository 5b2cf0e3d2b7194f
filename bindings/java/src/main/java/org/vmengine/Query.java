package org.vmengine;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.vmengine.internal.NativeQuery;

/**
 * A series filter: label matchers and PromQL selectors (all AND-ed) over an inclusive time range
 * in milliseconds since the Unix epoch (UTC). Wraps vme_query; the native query is built for
 * each call and freed right after, so a Query holds no native resources.
 *
 * <p>Matchers follow Prometheus semantics (vme_query_add_matcher): the metric name is the label
 * {@code __name__}; a missing label has the value "", so {@code eq("x", "")} matches series
 * without it; regexes are fully anchored RE2. Bad regexes and selectors are reported by the call
 * that uses the query ({@link Db#search} etc.) as {@link InvalidArgumentException}.
 *
 * <p>The builder methods mutate and return {@code this}; a Query is not thread-safe while being
 * built, but may be shared by threads once they only read it. {@link #toString()} shows the
 * filters in PromQL notation.
 */
public final class Query {
  /** Earliest timestamp of the default range (ms). */
  public static final long MIN_TIME = 0;
  /** Latest timestamp of the default range (ms): no upper bound. */
  public static final long MAX_TIME = Long.MAX_VALUE;

  // vme_match_type (vmengine.h; NativeLayerTest checks them against the C values).
  static final int MATCH_EQ = 0;
  static final int MATCH_NEQ = 1;
  static final int MATCH_RE = 2;
  static final int MATCH_NRE = 3;

  private record Matcher(int type, String name, String value) {}

  private final List<Matcher> matchers = new ArrayList<>();
  private final List<String> selectors = new ArrayList<>();
  private long minTs = MIN_TIME;
  private long maxTs = MAX_TIME;
  private long accountId = -1;
  private long projectId = -1;
  private long limit;

  /** A query over all time with no matchers (matches every series). */
  public Query() {}

  /**
   * A query over all time with no matchers (matches every series).
   *
   * @return a new query
   */
  public static Query all() {
    return new Query();
  }

  /**
   * A query with a PromQL series selector.
   *
   * @param selector a selector such as {@code up{job="a"}} (vme_query_add_selector)
   * @return a new query
   */
  public static Query selector(String selector) {
    return new Query().and(selector);
  }

  /**
   * A query matching a metric name exactly.
   *
   * @param name the metric name (label {@code __name__})
   * @return a new query
   */
  public static Query metric(String name) {
    return new Query().eq(Labels.METRIC_NAME, name);
  }

  /**
   * Adds the matcher {@code name="value"}.
   *
   * @param name label name
   * @param value label value; "" matches series without the label
   * @return this
   * @throws InvalidArgumentException if an argument is null
   */
  public Query eq(String name, String value) {
    return add(MATCH_EQ, name, value);
  }

  /**
   * Adds the matcher {@code name!="value"}.
   *
   * @param name label name
   * @param value label value
   * @return this
   * @throws InvalidArgumentException if an argument is null
   */
  public Query neq(String name, String value) {
    return add(MATCH_NEQ, name, value);
  }

  /**
   * Adds the matcher {@code name=~"regex"} (fully anchored, RE2 syntax).
   *
   * @param name label name
   * @param regex the regular expression
   * @return this
   * @throws InvalidArgumentException if an argument is null
   */
  public Query re(String name, String regex) {
    return add(MATCH_RE, name, regex);
  }

  /**
   * Adds the matcher {@code name!~"regex"} (fully anchored, RE2 syntax).
   *
   * @param name label name
   * @param regex the regular expression
   * @return this
   * @throws InvalidArgumentException if an argument is null
   */
  public Query nre(String name, String regex) {
    return add(MATCH_NRE, name, regex);
  }

  /**
   * Adds the matchers of a PromQL series selector, e.g. {@code node_cpu{mode=~"idle|user"}}
   * (vme_query_add_selector).
   *
   * @param selector the selector
   * @return this
   * @throws InvalidArgumentException if {@code selector} is null
   */
  public Query and(String selector) {
    if (selector == null) throw new InvalidArgumentException("Query.and: null selector");
    selectors.add(selector);
    return this;
  }

  /**
   * Sets the inclusive time range [minTsMs, maxTsMs] (vme_query_set_time_range).
   *
   * @param minTsMs start, ms since the epoch (UTC)
   * @param maxTsMs end (inclusive), ms since the epoch (UTC); {@link #MAX_TIME} for no end
   * @return this
   * @throws InvalidArgumentException if {@code minTsMs > maxTsMs}
   */
  public Query timeRange(long minTsMs, long maxTsMs) {
    if (minTsMs > maxTsMs) {
      throw new InvalidArgumentException(
          "time range: min " + minTsMs + " is after max " + maxTsMs);
    }
    this.minTs = minTsMs;
    this.maxTs = maxTsMs;
    return this;
  }

  /**
   * Sets the inclusive time range [min, max]; instants are truncated to milliseconds.
   *
   * @param min start
   * @param max end (inclusive)
   * @return this
   * @throws InvalidArgumentException if an instant is null, outside the range of a long of
   *     milliseconds, or {@code min} is after {@code max}
   */
  public Query timeRange(Instant min, Instant max) {
    return timeRange(Times.toMillis("time range min", min), Times.toMillis("time range max", max));
  }

  /**
   * Overrides the db's tenant for this query (vme_query_set_tenant).
   *
   * @param accountId AccountID, an unsigned 32-bit value
   * @param projectId ProjectID, an unsigned 32-bit value
   * @return this
   * @throws InvalidArgumentException if a value is outside 0..2^32-1
   */
  public Query tenant(long accountId, long projectId) {
    checkU32("accountId", accountId);
    checkU32("projectId", projectId);
    this.accountId = accountId;
    this.projectId = projectId;
    return this;
  }

  /**
   * Sets the maximum number of series a search may match (vme_query_set_limit); more gives
   * {@link LimitException}.
   *
   * @param maxSeries the limit, 0 for none
   * @return this
   * @throws InvalidArgumentException if {@code maxSeries} is negative
   */
  public Query limit(long maxSeries) {
    if (maxSeries < 0) throw new InvalidArgumentException("limit must be >= 0");
    this.limit = maxSeries;
    return this;
  }

  /**
   * The start of the time range.
   *
   * @return ms since the epoch (UTC)
   */
  public long minTime() {
    return minTs;
  }

  /**
   * The end of the time range (inclusive).
   *
   * @return ms since the epoch (UTC); {@link #MAX_TIME} for no end
   */
  public long maxTime() {
    return maxTs;
  }

  /**
   * Whether the query has at least one matcher or selector.
   *
   * @return true if it filters series
   */
  public boolean hasFilters() {
    return !matchers.isEmpty() || !selectors.isEmpty();
  }

  private Query add(int type, String name, String value) {
    if (name == null || value == null) throw new InvalidArgumentException("null matcher");
    matchers.add(new Matcher(type, name, value));
    return this;
  }

  static void checkU32(String what, long v) {
    if (v < 0 || v > 0xffffffffL) {
      throw new InvalidArgumentException(what + " " + v + " is not an unsigned 32-bit value");
    }
  }

  /** Builds the native query; the caller closes it. */
  NativeQuery toNative() {
    NativeQuery q = NativeQuery.make(minTs, maxTs);
    try {
      for (Matcher m : matchers) {
        byte[] name = m.name.getBytes(StandardCharsets.UTF_8);
        q.addMatcher(m.type, name, m.value.getBytes(StandardCharsets.UTF_8));
      }
      for (String s : selectors) q.addSelector(s.getBytes(StandardCharsets.UTF_8));
      if (accountId >= 0) q.setTenant(accountId, projectId);
      if (limit > 0) q.setLimit(limit);
      return q;
    } catch (RuntimeException e) {
      q.close();
      throw e;
    }
  }

  /**
   * The query in PromQL-like notation, e.g. {@code Query{node_load1, {job="node",
   * mode=~"idle|user"}, time=[2026-11-01T00:00:00Z, 2026-11-01T00:20:00Z], limit=10}}: the
   * selectors as given, the matchers with Go-quoted values, the time range in ISO-8601 UTC
   * (omitted when it is the default; "min"/"max" for an open bound), then tenant and limit if
   * set.
   *
   * @return the text
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Query{");
    String sep = "";
    for (String s : selectors) {
      sb.append(sep).append(s);
      sep = ", ";
    }
    if (!matchers.isEmpty()) {
      sb.append(sep).append('{');
      String msep = "";
      for (Matcher m : matchers) {
        sb.append(msep).append(m.name).append(op(m.type));
        quote(sb, m.value);
        msep = ", ";
      }
      sb.append('}');
      sep = ", ";
    }
    if (minTs != MIN_TIME || maxTs != MAX_TIME) {
      sb.append(sep)
          .append("time=[")
          .append(minTs == MIN_TIME ? "min" : Times.format(minTs))
          .append(", ")
          .append(maxTs == MAX_TIME ? "max" : Times.format(maxTs))
          .append(']');
      sep = ", ";
    }
    if (accountId >= 0) {
      sb.append(sep).append("tenant=").append(accountId).append(':').append(projectId);
      sep = ", ";
    }
    if (limit > 0) sb.append(sep).append("limit=").append(limit);
    return sb.append('}').toString();
  }

  private static String op(int type) {
    if (type == MATCH_EQ) return "=";
    if (type == MATCH_NEQ) return "!=";
    if (type == MATCH_RE) return "=~";
    return "!~";
  }

  private static void quote(StringBuilder sb, String v) {
    sb.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        default:
          sb.append(c);
      }
    }
    sb.append('"');
  }
}
