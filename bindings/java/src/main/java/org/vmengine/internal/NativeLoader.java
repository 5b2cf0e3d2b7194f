package org.vmengine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Loads the native libraries once per class loader, before the first native call (from the static
 * initializer of the SWIG class VmeNativeJNI).
 *
 * <p>The jar carries {@code libvmengine.so.0} and {@code libvmengine_jni.so} for linux-x86_64 under
 * {@code /org/vmengine/native/VERSION/linux-x86_64/} (VERSION is the artifact version, so two
 * versions on one class path never mix their libraries). Lookup order:
 *
 * <ol>
 *   <li>system property {@value #PATH_PROPERTY} set: it names the JNI library file or the
 *       directory holding it, loaded with {@link System#load}; the JNI library finds libvmengine
 *       through its rpath ($ORIGIN) or the system linker paths;
 *   <li>else, unless system property {@value #EXTRACT_PROPERTY} is {@code false}, and if this jar
 *       has libraries for the running platform: they are copied into a new private directory
 *       (created by {@link Files#createTempDirectory}, under system property {@value
 *       #TMPDIR_PROPERTY} or else {@code java.io.tmpdir}), loaded with {@link System#load} by
 *       absolute path, libvmengine first, and deleted right after loading together with the
 *       directory (a loaded library stays mapped; nothing is left in the temp directory, even
 *       after a crash later on);
 *   <li>else {@code System.loadLibrary("vmengine_jni")} searches {@code java.library.path}.
 * </ol>
 *
 * <p>libvmengine is loaded first by absolute path so that the JNI library binds to the copy from
 * the same jar even if another libvmengine.so.0 is installed system-wide (the dynamic linker
 * reuses a loaded object with the same SONAME). libvmengine itself needs the shared libraries of
 * its dependencies (libtbb12, libzstd1, libre2-9, libxxhash0 on Debian 12).
 */
public final class NativeLoader {
  /** System property naming the JNI library file or its directory (disables extraction). */
  public static final String PATH_PROPERTY = "vmengine.jni.path";
  /** System property: {@code false} skips the jar's libraries and uses java.library.path. */
  public static final String EXTRACT_PROPERTY = "vmengine.native.extract";
  /** System property: the directory under which the jar's libraries are extracted. */
  public static final String TMPDIR_PROPERTY = "vmengine.native.tmpdir";
  /** The library name for {@link System#loadLibrary}. */
  public static final String LIBRARY_NAME = "vmengine_jni";
  /** The ABI version (libvmengine SOVERSION) this Java code was written for. */
  public static final long EXPECTED_ABI_VERSION = 0;
  /** The resource describing the jar's native libraries (written by the Maven build). */
  static final String PROPERTIES = "/org/vmengine/internal/native.properties";

  private static boolean loaded;
  private static String source;
  private static Path extractedDir;

  private NativeLoader() {}

  /** Loads the native libraries; idempotent. Throws UnsatisfiedLinkError if it cannot. */
  public static synchronized void load() {
    if (loaded) return;
    String configured = System.getProperty(PATH_PROPERTY);
    if (configured != null && !configured.isEmpty()) {
      loadConfigured(configured);
    } else {
      boolean skipJar = "false".equalsIgnoreCase(System.getProperty(EXTRACT_PROPERTY));
      Bundle bundle = skipJar ? null : bundle();
      if (bundle != null) {
        loadFromJar(bundle);
      } else {
        loadFromLibraryPath();
      }
    }
    loaded = true;
  }

  /**
   * Where the native libraries came from: "jar:/org/vmengine/native/VERSION/PLATFORM/", {@code
   * PATH_PROPERTY}=..., or "java.library.path"; null before {@link #load()}.
   */
  public static synchronized String source() {
    return source;
  }

  /** The directory the jar's libraries were extracted to (deleted after loading), or null. */
  public static synchronized Path extractedDir() {
    return extractedDir;
  }

  /**
   * The platform name of the resource path for {@code os.name} and {@code os.arch} (e.g.
   * "linux-x86_64"), or null for a platform this binding has no name for.
   */
  public static String platform(String osName, String osArch) {
    if (osName == null || osArch == null) return null;
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux")) return null;
    switch (arch) {
      case "amd64":
      case "x86_64":
        return "linux-x86_64";
      case "aarch64":
      case "arm64":
        return "linux-aarch64";
      default:
        return null;
    }
  }

  /** The jar's libraries for the running platform, in load order. */
  record Bundle(String resourceDir, List<String> libraries) {}

  /** The jar's libraries for this platform, or null if the jar has none for it. */
  static Bundle bundle() {
    Properties p = new Properties();
    try (InputStream in = NativeLoader.class.getResourceAsStream(PROPERTIES)) {
      if (in == null) return null;
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + PROPERTIES, e);
    }
    String platform = platform(System.getProperty("os.name"), System.getProperty("os.arch"));
    String version = p.getProperty("version", "");
    if (platform == null || version.isEmpty()) return null;
    boolean listed = false;
    for (String s : p.getProperty("platforms", "").split(",")) listed |= s.trim().equals(platform);
    if (!listed) return null;
    String dir = "/org/vmengine/native/" + version + "/" + platform + "/";
    List<String> libs = new ArrayList<>();
    for (String s : p.getProperty("libraries", "").split(",")) {
      if (!s.isBlank()) libs.add(s.trim());
    }
    if (libs.isEmpty()) return null;
    for (String lib : libs) {
      if (NativeLoader.class.getResource(dir + lib) == null) return null;
    }
    return new Bundle(dir, libs);
  }

  private static void loadConfigured(String configured) {
    Path p = Paths.get(configured);
    if (Files.isDirectory(p)) p = p.resolve(System.mapLibraryName(LIBRARY_NAME));
    try {
      System.load(p.toAbsolutePath().toString());
    } catch (UnsatisfiedLinkError e) {
      throw linkError(
          "cannot load the vmengine JNI library from " + PATH_PROPERTY + "=" + configured, e);
    }
    source = PATH_PROPERTY + "=" + configured;
  }

  private static void loadFromJar(Bundle bundle) {
    String parent = System.getProperty(TMPDIR_PROPERTY);
    Path dir;
    try {
      dir =
          parent == null || parent.isEmpty()
              ? Files.createTempDirectory("vmengine-native-")
              : Files.createTempDirectory(Paths.get(parent), "vmengine-native-");
    } catch (IOException e) {
      throw linkError(
          "cannot create a directory for the vmengine native libraries (set -D"
              + TMPDIR_PROPERTY
              + "=DIR to a writable directory)",
          e);
    }
    List<Path> files = new ArrayList<>();
    try {
      for (String lib : bundle.libraries()) {
        Path f = dir.resolve(lib);
        try (InputStream in = NativeLoader.class.getResourceAsStream(bundle.resourceDir() + lib)) {
          if (in == null) throw new IOException("resource " + bundle.resourceDir() + lib + " is gone");
          Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          throw linkError("cannot extract " + bundle.resourceDir() + lib + " to " + f, e);
        }
        files.add(f);
      }
      for (Path f : files) {
        try {
          System.load(f.toString());
        } catch (UnsatisfiedLinkError e) {
          throw linkError(
              "cannot load "
                  + f.getFileName()
                  + " (extracted from the jar's "
                  + bundle.resourceDir()
                  + " to "
                  + dir
                  + "; libvmengine needs the shared libraries libtbb.so.12, libzstd.so.1,"
                  + " libre2.so.9 and libxxhash.so.0, on Debian 12 the packages libtbb12 libzstd1"
                  + " libre2-9 libxxhash0; a directory mounted noexec needs -D"
                  + TMPDIR_PROPERTY
                  + "=DIR)",
              e);
        }
      }
    } finally {
      for (Path f : files) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException ignored) {
          // best effort: the directory is private and named vmengine-native-*
        }
      }
      try {
        Files.deleteIfExists(dir);
      } catch (IOException ignored) {
        // best effort, as above
      }
    }
    source = "jar:" + bundle.resourceDir();
    extractedDir = dir;
  }

  private static void loadFromLibraryPath() {
    try {
      System.loadLibrary(LIBRARY_NAME);
    } catch (UnsatisfiedLinkError e) {
      String why =
          "false".equalsIgnoreCase(System.getProperty(EXTRACT_PROPERTY))
              ? "-D" + EXTRACT_PROPERTY + "=false skips the jar's libraries"
              : "the jar has no native libraries for "
                  + System.getProperty("os.name")
                  + "/"
                  + System.getProperty("os.arch");
      throw linkError(
          "cannot load the vmengine JNI library: "
              + why
              + ", and java.library.path ("
              + System.getProperty("java.library.path")
              + ") has no "
              + System.mapLibraryName(LIBRARY_NAME)
              + "; set -D"
              + PATH_PROPERTY
              + "=/path/to/"
              + System.mapLibraryName(LIBRARY_NAME),
          e);
    }
    source = "java.library.path";
  }

  private static UnsatisfiedLinkError linkError(String message, Throwable cause) {
    UnsatisfiedLinkError e = new UnsatisfiedLinkError(message + ": " + cause.getMessage());
    e.initCause(cause);
    return e;
  }

  /**
   * Checks that the loaded libvmengine (vme_abi_version()), the header the JNI library was
   * compiled against (VME_ABI_VERSION) and this Java code agree on the ABI version.
   */
  public static void checkAbi(long runtimeAbi, long compiledAbi) {
    if (runtimeAbi != compiledAbi || compiledAbi != EXPECTED_ABI_VERSION) {
      throw new UnsatisfiedLinkError(
          "vmengine ABI mismatch: libvmengine has ABI "
              + runtimeAbi
              + ", the JNI library was compiled for ABI "
              + compiledAbi
              + ", the Java classes expect ABI "
              + EXPECTED_ABI_VERSION);
    }
  }
}
