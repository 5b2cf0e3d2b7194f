package org.vmengine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vmengine.VmEngine;

/**
 * The loader: the libraries come from the classes directory (= the jar) under the versioned
 * resource path, the extraction directory is deleted, and the java.library.path fallback works
 * (in child JVMs, since a JVM loads the libraries once).
 */
class NativeLoaderTest {
  @TempDir Path tmp;

  @Test
  void platformNames() {
    assertEquals("linux-x86_64", NativeLoader.platform("Linux", "amd64"));
    assertEquals("linux-x86_64", NativeLoader.platform("Linux", "x86_64"));
    assertEquals("linux-aarch64", NativeLoader.platform("Linux", "aarch64"));
    assertNull(NativeLoader.platform("Mac OS X", "aarch64"));
    assertNull(NativeLoader.platform("Windows 11", "amd64"));
    assertNull(NativeLoader.platform("Linux", "ppc64le"));
    assertNull(NativeLoader.platform(null, "amd64"));
  }

  @Test
  void loadedFromTheVersionedResourcePath() {
    VmEngine.version();
    String source = NativeLoader.source();
    assertTrue(
        source.matches("jar:/org/vmengine/native/\\d+\\.\\d+\\.\\d+[^/]*/linux-x86_64/"), source);
    Path extracted = NativeLoader.extractedDir();
    assertNotNull(extracted);
    String name = extracted.getFileName().toString();
    assertTrue(name.startsWith("vmengine-native-"), name);
    assertFalse(Files.exists(extracted), "extraction directory left behind: " + extracted);
    NativeLoader.Bundle b = NativeLoader.bundle();
    assertEquals(List.of("libvmengine.so.0", "libvmengine_jni.so"), b.libraries());
    assertEquals(source, "jar:" + b.resourceDir());
  }

  /** Runs LoaderProbe in a new JVM with the test class path; returns its exit code and output. */
  static String[] probe(String... jvmArgs) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(jvmArgs));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(LoaderProbe.class.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("LD_LIBRARY_PATH");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new String[] {Integer.toString(p.waitFor()), out};
  }

  @Test
  void childJvmLoadsFromTheJarWithoutLibraryPath() throws Exception {
    String[] r = probe("-Djava.library.path=" + tmp.resolve("empty"));
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("source=jar:/org/vmengine/native/"), r[1]);
    assertTrue(r[1].contains("extracted=deleted"), r[1]);
    assertTrue(r[1].contains("series=0"), r[1]);
  }

  @Test
  void extractionDirectoryProperty() throws Exception {
    Path parent = Files.createDirectory(tmp.resolve("extract-here"));
    String[] r = probe("-D" + NativeLoader.TMPDIR_PROPERTY + "=" + parent);
    assertEquals("0", r[0], r[1]);
    try (var left = Files.list(parent)) {
      assertEquals(0, left.count(), "left in " + parent);
    }
    // A parent that does not exist: a clear error naming the property.
    r = probe("-D" + NativeLoader.TMPDIR_PROPERTY + "=" + tmp.resolve("missing"));
    assertNotEquals("0", r[0], r[1]);
    assertTrue(r[1].contains(NativeLoader.TMPDIR_PROPERTY), r[1]);
  }

  @Test
  void fallbackToJavaLibraryPath() throws Exception {
    // The jar's copies skipped, nothing on java.library.path: a clear error.
    String[] r =
        probe(
            "-D" + NativeLoader.EXTRACT_PROPERTY + "=false",
            "-Djava.library.path=" + tmp.resolve("empty"));
    assertNotEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("UnsatisfiedLinkError"), r[1]);
    assertTrue(r[1].contains("java.library.path"), r[1]);
    assertTrue(r[1].contains(NativeLoader.EXTRACT_PROPERTY + "=false"), r[1]);
    // The same libraries in a directory on java.library.path: loaded from there.
    Path libs = Files.createDirectory(tmp.resolve("libs"));
    NativeLoader.Bundle b = NativeLoader.bundle();
    for (String lib : b.libraries()) {
      try (InputStream in = NativeLoader.class.getResourceAsStream(b.resourceDir() + lib)) {
        Files.copy(in, libs.resolve(lib));
      }
    }
    r = probe("-D" + NativeLoader.EXTRACT_PROPERTY + "=false", "-Djava.library.path=" + libs);
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("source=java.library.path"), r[1]);
    assertTrue(r[1].contains("extracted=none"), r[1]);
    // vmengine.jni.path names the JNI library explicitly.
    r = probe("-D" + NativeLoader.PATH_PROPERTY + "=" + libs);
    assertEquals("0", r[0], r[1]);
    assertTrue(r[1].contains("source=" + NativeLoader.PATH_PROPERTY + "=" + libs), r[1]);
  }
}
