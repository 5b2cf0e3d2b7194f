package org.vmengine;

import java.nio.file.Path;
import org.vmengine.internal.NativeDb;
import org.vmengine.internal.NativeOptions;
import org.vmengine.internal.VmeNative;

/**
 * Entry point of the vmengine Java binding: opens data directories and reports the library
 * version.
 *
 * <p>The first use loads the JNI library (system property {@code vmengine.jni.path}, a file or
 * directory, else {@code java.library.path}) and checks that libvmengine's ABI version
 * (vme_abi_version) equals the one the JNI layer was compiled for and the one these classes
 * expect; a mismatch throws {@link UnsatisfiedLinkError}.
 */
public final class VmEngine {
  private VmEngine() {}

  /**
   * Opens (creating if needed) the data directory {@code dir}, a VictoriaMetrics 1.72 storage
   * directory (vme_open). Close the returned db (try with resources). Throws {@link
   * LockedException} if another open db (in this or another process) holds the directory, {@link
   * CorruptionException} for malformed files, {@link IoException}, {@link
   * InvalidArgumentException} for bad options.
   */
  public static Db open(Path dir, Options options) {
    byte[] path = dir.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    NativeDb handle;
    if (options == null) {
      handle = NativeDb.open(path, null);
    } else {
      try (NativeOptions o = options.toNative()) {
        handle = NativeDb.open(path, o);
      }
    }
    if (handle == null) throw new InternalException("vme_open returned no handle");
    return new Db(dir, handle);
  }

  /** Opens {@code dir} with default options. */
  public static Db open(Path dir) {
    return open(dir, null);
  }

  /** The loaded libvmengine's version, "MAJOR.MINOR.PATCH" (vme_version_string). */
  public static String version() {
    return VmeNative.versionString();
  }

  /** MAJOR*10000 + MINOR*100 + PATCH of the loaded library (vme_version_number). */
  public static long versionNumber() {
    return VmeNative.versionNumber();
  }

  /** The loaded library's ABI version (vme_abi_version), checked at load. */
  public static long abiVersion() {
    return VmeNative.abiVersion();
  }
}
