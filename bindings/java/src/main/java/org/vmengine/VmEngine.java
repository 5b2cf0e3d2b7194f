package org.vmengine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.vmengine.internal.NativeDb;
import org.vmengine.internal.NativeLoader;
import org.vmengine.internal.NativeOptions;
import org.vmengine.internal.VmeNative;

/**
 * Entry point of the vmengine Java binding: opens data directories and reports the library
 * version.
 *
 * <p>The first use loads the native libraries: the jar's own copies of libvmengine and its JNI
 * library for linux-x86_64 (extracted to a private temporary directory and deleted right after
 * loading), else the JNI library found on {@code java.library.path}; system property {@code
 * vmengine.jni.path} (a file or directory) names it explicitly, {@code
 * vmengine.native.extract=false} skips the jar's copies, {@code vmengine.native.tmpdir} moves the
 * extraction (e.g. off a noexec {@code /tmp}). It then checks that libvmengine's ABI version
 * (vme_abi_version) equals the one the JNI layer was compiled for and the one these classes
 * expect; a failure or mismatch throws {@link UnsatisfiedLinkError} saying why.
 */
public final class VmEngine {
  private VmEngine() {}

  /**
   * Opens (creating if needed) a data directory, a VictoriaMetrics 1.72 storage directory
   * (vme_open). Close the returned db (try with resources).
   *
   * @param dir the data directory
   * @param options the options, or null for the defaults
   * @return the open db
   * @throws LockedException if another open db (in this or another process) holds the directory
   * @throws CorruptionException for malformed files
   * @throws IoException if the directory cannot be created or read
   * @throws InvalidArgumentException for bad options (the message names the option)
   */
  public static Db open(Path dir, Options options) {
    if (dir == null) throw new InvalidArgumentException("open: null directory");
    byte[] path = dir.toString().getBytes(StandardCharsets.UTF_8);
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

  /**
   * Opens a data directory with default options (keep everything, tenant 0:0).
   *
   * @param dir the data directory
   * @return the open db
   * @throws LockedException if another open db holds the directory
   * @throws CorruptionException for malformed files
   * @throws IoException if the directory cannot be created or read
   */
  public static Db open(Path dir) {
    return open(dir, null);
  }

  /**
   * The loaded libvmengine's version (vme_version_string).
   *
   * @return "MAJOR.MINOR.PATCH"
   */
  public static String version() {
    return VmeNative.versionString();
  }

  /**
   * The loaded libvmengine's version as a number (vme_version_number).
   *
   * @return MAJOR*10000 + MINOR*100 + PATCH
   */
  public static long versionNumber() {
    return VmeNative.versionNumber();
  }

  /**
   * The loaded libvmengine's ABI version (vme_abi_version, its SOVERSION), checked at load.
   *
   * @return the ABI version
   */
  public static long abiVersion() {
    return VmeNative.abiVersion();
  }

  /**
   * Where the native libraries were loaded from (loading them if needed), for diagnostics.
   *
   * @return "jar:/org/vmengine/native/VERSION/PLATFORM/" for the jar's own copies,
   *     "java.library.path", or "vmengine.jni.path=..."
   */
  public static String nativeLibrarySource() {
    VmeNative.abiVersion(); // loads the libraries
    return NativeLoader.source();
  }
}
