package org.vmengine;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vmengine.internal.NativeOptions;

/**
 * Options for {@link VmEngine#open(java.nio.file.Path, Options)} (vme_options). Defaults: keep
 * everything, tenant 0:0, 256 MiB cache budget, no deduplication, background flushes and merges
 * on. Mutable builder, not thread-safe; it holds no native resources (the native options exist
 * only during open).
 */
public final class Options {
  private Long retentionMs;
  private long accountId = -1;
  private long projectId = -1;
  private Long cacheBytes;
  private final Map<String, String> generic = new LinkedHashMap<>();

  /** Default options. */
  public Options() {}

  /** Default options. */
  public static Options defaults() {
    return new Options();
  }

  /**
   * Retention in ms (vme_options_set_retention_ms): older rows are rejected at ingest; 0 keeps
   * everything.
   */
  public Options retentionMs(long retentionMs) {
    this.retentionMs = retentionMs;
    return this;
  }

  /** Default tenant (AccountID, ProjectID; unsigned 32-bit) of the db (vme_options_set_tenant). */
  public Options tenant(long accountId, long projectId) {
    Query.checkU32("accountId", accountId);
    Query.checkU32("projectId", projectId);
    this.accountId = accountId;
    this.projectId = projectId;
    return this;
  }

  /** Cache memory budget in bytes, minimum 1 MiB (vme_options_set_cache_bytes). */
  public Options cacheBytes(long bytes) {
    this.cacheBytes = bytes;
    return this;
  }

  /**
   * Generic option (vme_options_set), e.g. {@code set("retention", "30d")}, {@code
   * set("dedup_interval_ms", "10000")}, {@code set("background", "0")}; see vmengine.h for the
   * keys. Unknown keys and bad values fail at open with {@link InvalidArgumentException}.
   */
  public Options set(String key, String value) {
    generic.put(key, value);
    return this;
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
}
