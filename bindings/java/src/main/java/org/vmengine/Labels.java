package org.vmengine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable set of labels identifying a series, with its packed series key computed once.
 *
 * <p>The metric name is the label {@value #METRIC_NAME}. The packed form is the C API's series
 * key (vmengine.h, "Labels"): per label {@code u16be name_len | name | u16be value_len | value},
 * UTF-8. Build a {@code Labels} once per series and reuse it: {@link Batch#add(Labels, long,
 * double)} copies the cached bytes, so per-row cost does not depend on the label count.
 *
 * <p>Labels are kept in the order given (the engine canonicalises them: special keys first, last
 * duplicate wins, empty values are dropped). Limits (256-byte names, 16 KiB values, 30 labels)
 * are enforced by the engine, which rejects and counts such rows (see {@link AddResult}); this
 * class only rejects names or values longer than 65535 UTF-8 bytes, which the format cannot
 * hold. Thread-safe (immutable).
 */
public final class Labels {
  /** The label holding the metric name. */
  public static final String METRIC_NAME = "__name__";

  private final String[] pairs;
  private final byte[] packed;
  private final int hash;

  private Labels(String[] pairs) {
    this.pairs = pairs;
    this.packed = pack(pairs);
    this.hash = Arrays.hashCode(pairs);
  }

  /**
   * Labels from alternating names and values, e.g. {@code Labels.of("__name__", "up", "job",
   * "node")}.
   *
   * @param namesAndValues name, value, name, value, ...
   * @return the labels
   * @throws InvalidArgumentException for an odd count, a null, or a name or value over 65535
   *     UTF-8 bytes
   */
  public static Labels of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new InvalidArgumentException("Labels.of: odd number of names and values");
    }
    String[] copy = namesAndValues.clone();
    for (String s : copy) {
      if (s == null) throw new InvalidArgumentException("Labels.of: null name or value");
    }
    return new Labels(copy);
  }

  /**
   * Labels from a map, in its iteration order.
   *
   * @param labels names to values
   * @return the labels
   * @throws InvalidArgumentException for a null name or value, or one over 65535 UTF-8 bytes
   */
  public static Labels of(Map<String, String> labels) {
    String[] p = new String[labels.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new InvalidArgumentException("Labels.of: null name or value");
      }
      p[i++] = e.getKey();
      p[i++] = e.getValue();
    }
    return new Labels(p);
  }

  /**
   * Labels with a metric name followed by alternating names and values, e.g. {@code
   * Labels.metric("up", "job", "node")}.
   *
   * @param metric the metric name (label {@code __name__})
   * @param namesAndValues name, value, name, value, ...
   * @return the labels
   * @throws InvalidArgumentException for an odd count, a null, or a name or value over 65535
   *     UTF-8 bytes
   */
  public static Labels metric(String metric, String... namesAndValues) {
    String[] p = new String[namesAndValues.length + 2];
    p[0] = METRIC_NAME;
    p[1] = metric;
    System.arraycopy(namesAndValues, 0, p, 2, namesAndValues.length);
    return of(p);
  }

  /** Decodes a packed series key (as vme_series_iter_key returns it). */
  static Map<String, String> decode(byte[] key) {
    Map<String, String> m = new LinkedHashMap<>();
    int i = 0;
    while (i + 2 <= key.length) {
      int nl = ((key[i] & 0xff) << 8) | (key[i + 1] & 0xff);
      i += 2;
      if (i + nl + 2 > key.length) throw new CorruptionException("malformed series key");
      String name = new String(key, i, nl, StandardCharsets.UTF_8);
      i += nl;
      int vl = ((key[i] & 0xff) << 8) | (key[i + 1] & 0xff);
      i += 2;
      if (i + vl > key.length) throw new CorruptionException("malformed series key");
      m.put(name, new String(key, i, vl, StandardCharsets.UTF_8));
      i += vl;
    }
    return Collections.unmodifiableMap(m);
  }

  private static byte[] pack(String[] pairs) {
    byte[][] enc = new byte[pairs.length][];
    int len = 0;
    for (int i = 0; i < pairs.length; i++) {
      enc[i] = pairs[i].getBytes(StandardCharsets.UTF_8);
      if (enc[i].length > 0xffff) {
        throw new InvalidArgumentException(
            "label " + (i % 2 == 0 ? "name" : "value") + " longer than 65535 bytes");
      }
      len += 2 + enc[i].length;
    }
    byte[] out = new byte[len];
    int p = 0;
    for (byte[] e : enc) {
      out[p] = (byte) (e.length >>> 8);
      out[p + 1] = (byte) e.length;
      System.arraycopy(e, 0, out, p + 2, e.length);
      p += 2 + e.length;
    }
    return out;
  }

  /** The packed series key (shared, never modified; internal to the binding). */
  byte[] packedKey() {
    return packed;
  }

  /**
   * A copy of the packed series key (the C API's encoding, see the class comment).
   *
   * @return a new array the caller owns
   */
  public byte[] toPackedKey() {
    return packed.clone();
  }

  /**
   * The value of a label; with duplicates, the last one.
   *
   * @param name the label name
   * @return its value, or null if absent
   */
  public String get(String name) {
    String v = null;
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(name)) v = pairs[i + 1];
    }
    return v;
  }

  /**
   * The labels as a map in the given order (the last duplicate wins).
   *
   * @return an unmodifiable map
   */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
    return Collections.unmodifiableMap(m);
  }

  /**
   * Number of label pairs given.
   *
   * @return the count, duplicates included
   */
  public int size() {
    return pairs.length / 2;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels && Arrays.equals(pairs, ((Labels) o).pairs);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < pairs.length; i += 2) {
      if (i > 0) sb.append(", ");
      sb.append(pairs[i]).append("=\"").append(pairs[i + 1]).append('"');
    }
    return sb.append('}').toString();
  }
}
