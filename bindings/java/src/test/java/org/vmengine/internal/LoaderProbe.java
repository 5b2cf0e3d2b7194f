package org.vmengine.internal;

import java.nio.file.Files;
import org.vmengine.VmEngine;

/**
 * Run in a child JVM by NativeLoaderTest: loads the native libraries, prints where they came from
 * and whether the extraction directory is gone, and opens a db.
 */
public final class LoaderProbe {
  private LoaderProbe() {}

  public static void main(String[] args) throws Exception {
    String v = VmEngine.version();
    System.out.println("source=" + NativeLoader.source());
    System.out.println(
        "extracted="
            + (NativeLoader.extractedDir() == null
                ? "none"
                : Files.exists(NativeLoader.extractedDir()) ? "present" : "deleted"));
    try (var db = VmEngine.open(Files.createTempDirectory("vmengine-probe"))) {
      System.out.println("version=" + v + " series=" + db.seriesCount());
    }
  }
}
