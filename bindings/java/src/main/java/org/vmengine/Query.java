package org.vmengine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.vmengine.internal.NativeQuery;
import org.vmengine.internal.VmeNative;

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
 * built, but may be shared by threads once they only read it.
 */
public final class Query {
  /** Earliest timestamp of the default range. */
  public static final long MIN_TIME = 0;
  /** Latest timestamp of the default range. */
  public static final long MAX_TIME = Long.MAX_VALUE;

  private record Matcher(int type, byte[] name, byte[] value) {}

  private final List<Matcher> matchers = new ArrayList<>();
  private final List<byte[]> selectors = new ArrayList<>();
  private long minTs = MIN_TIME;
  private long maxTs = MAX_TIME;
  private long accountId = -1;
  private long projectId = -1;
  private long limit;

  /** A query over all time with no matchers (matches every series). */
  public Query() {}

  /** A query over all time with no matchers. */
  public static Query all() {
    return new Query();
  }

  /** A query with the PromQL series selector {@code selector}, e.g. {@code up{job="a"}}. */
  public static Query selector(String selector) {
    return new Query().and(selector);
  }

  /** A query matching the metric name {@code name} exactly. */
  public static Query metric(String name) {
    return new Query().eq(Labels.METRIC_NAME, name);
  }

  /** Adds {@code name = value}. */
  public Query eq(String name, String value) {
    return add(VmeNative.MATCH_EQ, name, value);
  }

  /** Adds {@code name != value}. */
  public Query neq(String name, String value) {
    return add(VmeNative.MATCH_NEQ, name, value);
  }

  /** Adds {@code name =~ regex} (fully anchored, RE2 syntax). */
  public Query re(String name, String regex) {
    return add(VmeNative.MATCH_RE, name, regex);
  }

  /** Adds {@code name !~ regex} (fully anchored, RE2 syntax). */
  public Query nre(String name, String regex) {
    return add(VmeNative.MATCH_NRE, name, regex);
  }

  /**
   * Adds the matchers of a PromQL series selector, e.g. {@code node_cpu{mode=~"idle|user"}}
   * (vme_query_add_selector).
   */
  public Query and(String selector) {
    selectors.add(selector.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /** Sets the inclusive time range [minTsMs, maxTsMs] in ms since the epoch (UTC). */
  public Query timeRange(long minTsMs, long maxTsMs) {
    if (minTsMs > maxTsMs) {
      throw new InvalidArgumentException(
          "time range: min " + minTsMs + " is after max " + maxTsMs);
    }
    this.minTs = minTsMs;
    this.maxTs = maxTsMs;
    return this;
  }

  /** Overrides the db's tenant (AccountID, ProjectID; unsigned 32-bit) for this query. */
  public Query tenant(long accountId, long projectId) {
    checkU32("accountId", accountId);
    checkU32("projectId", projectId);
    this.accountId = accountId;
    this.projectId = projectId;
    return this;
  }

  /**
   * Sets the maximum number of series a search may match (0 = unlimited); more gives {@link
   * LimitException} (vme_query_set_limit).
   */
  public Query limit(long maxSeries) {
    if (maxSeries < 0) throw new InvalidArgumentException("limit must be >= 0");
    this.limit = maxSeries;
    return this;
  }

  /** Start of the time range, ms. */
  public long minTime() {
    return minTs;
  }

  /** End of the time range (inclusive), ms. */
  public long maxTime() {
    return maxTs;
  }

  /** Whether the query has at least one matcher or selector. */
  public boolean hasFilters() {
    return !matchers.isEmpty() || !selectors.isEmpty();
  }

  private Query add(int type, String name, String value) {
    if (name == null || value == null) throw new InvalidArgumentException("null matcher");
    matchers.add(
        new Matcher(
            type, name.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
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
      for (Matcher m : matchers) q.addMatcher(m.type, m.name, m.value);
      for (byte[] s : selectors) q.addSelector(s);
      if (accountId >= 0) q.setTenant(accountId, projectId);
      if (limit > 0) q.setLimit(limit);
      return q;
    } catch (RuntimeException e) {
      q.close();
      throw e;
    }
  }
}
