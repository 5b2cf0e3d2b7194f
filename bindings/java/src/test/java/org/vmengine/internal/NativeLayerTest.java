package org.vmengine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.vmengine.ClosedException;
import org.vmengine.InvalidArgumentException;

/** The generated JNI layer itself: closed proxies throw instead of crashing, errors map. */
class NativeLayerTest {
  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void closedProxiesThrow() {
    NativeQuery q = NativeQuery.make(0, 10);
    q.addMatcher(VmeNative.MATCH_EQ, b("a"), b("b"));
    q.close();
    q.close();
    assertThrows(ClosedException.class, () -> q.addSelector(b("up")));
    assertThrows(ClosedException.class, () -> q.setTimeRange(0, 1));
    NativeOptions o = NativeOptions.make();
    o.close();
    assertThrows(ClosedException.class, () -> o.setRetentionMs(1));
  }

  @Test
  void errorsBecomeExceptions() {
    try (NativeQuery q = NativeQuery.make(0, 10)) {
      InvalidArgumentException e =
          assertThrows(
              InvalidArgumentException.class, () -> q.addMatcher(VmeNative.MATCH_RE, b("a"), b("(")));
      assertEquals(-1, e.code());
      assertThrows(InvalidArgumentException.class, () -> q.setTimeRange(5, 1));
      assertThrows(InvalidArgumentException.class, () -> q.addSelector(b("{a=")));
      assertEquals(0, q.addSelector(b("{a=\"\u00e9\"}")));
    }
    try (NativeOptions o = NativeOptions.make()) {
      assertThrows(InvalidArgumentException.class, () -> o.setOption(b("bogus"), b("1")));
      assertEquals(0, o.setOption(b("retention"), b("30d")));
    }
  }

  @Test
  void versions() {
    assertEquals(NativeLoader.EXPECTED_ABI_VERSION, VmeNative.abiVersion());
    assertEquals(VmeNative.COMPILED_ABI_VERSION, VmeNative.abiVersion());
  }
}
