package org.vmengine.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Loads the JNI library libvmengine_jni.so once per class loader, before the first native call
 * (from the static initializer of the SWIG class VmeNativeJNI).
 *
 * <p>Lookup: if the system property {@value #PATH_PROPERTY} is set, it names either the library
 * file itself or the directory holding it, and is loaded with {@link System#load}; otherwise
 * {@code System.loadLibrary("vmengine_jni")} searches {@code java.library.path}. The JNI library
 * finds libvmengine.so itself through its rpath (build tree) or the system linker paths
 * (installed library).
 */
public final class NativeLoader {
  /** System property naming the JNI library file or its directory. */
  public static final String PATH_PROPERTY = "vmengine.jni.path";
  /** The library name for {@link System#loadLibrary}. */
  public static final String LIBRARY_NAME = "vmengine_jni";
  /** The ABI version (libvmengine SOVERSION) this Java code was written for. */
  public static final long EXPECTED_ABI_VERSION = 0;

  private static boolean loaded;

  private NativeLoader() {}

  /** Loads the JNI library; idempotent. Throws UnsatisfiedLinkError if it cannot. */
  public static synchronized void load() {
    if (loaded) return;
    String configured = System.getProperty(PATH_PROPERTY);
    if (configured != null && !configured.isEmpty()) {
      Path p = Paths.get(configured);
      if (Files.isDirectory(p)) p = p.resolve(System.mapLibraryName(LIBRARY_NAME));
      try {
        System.load(p.toAbsolutePath().toString());
      } catch (UnsatisfiedLinkError e) {
        UnsatisfiedLinkError wrapped =
            new UnsatisfiedLinkError(
                "cannot load the vmengine JNI library from " + PATH_PROPERTY + "=" + configured
                    + ": " + e.getMessage());
        wrapped.initCause(e);
        throw wrapped;
      }
    } else {
      try {
        System.loadLibrary(LIBRARY_NAME);
      } catch (UnsatisfiedLinkError e) {
        UnsatisfiedLinkError wrapped =
            new UnsatisfiedLinkError(
                "cannot find lib" + LIBRARY_NAME + " on java.library.path ("
                    + System.getProperty("java.library.path") + "); set -D" + PATH_PROPERTY
                    + "=/path/to/" + System.mapLibraryName(LIBRARY_NAME) + ": " + e.getMessage());
        wrapped.initCause(e);
        throw wrapped;
      }
    }
    loaded = true;
  }

  /**
   * Checks that the loaded libvmengine (vme_abi_version()), the header the JNI library was
   * compiled against (VME_ABI_VERSION) and this Java code agree on the ABI version.
   */
  public static void checkAbi(long runtimeAbi, long compiledAbi) {
    if (runtimeAbi != compiledAbi || compiledAbi != EXPECTED_ABI_VERSION) {
      throw new UnsatisfiedLinkError(
          "vmengine ABI mismatch: libvmengine has ABI " + runtimeAbi
              + ", the JNI library was compiled for ABI " + compiledAbi
              + ", the Java classes expect ABI " + EXPECTED_ABI_VERSION);
    }
  }
}
