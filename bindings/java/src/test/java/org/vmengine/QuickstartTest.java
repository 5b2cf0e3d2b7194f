package org.vmengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quickstart, verbatim: the README's code block after the marker line is the text of
 * examples/Quickstart.java, and that file (compiled with the test sources) runs on the real
 * node_exporter capture.
 */
class QuickstartTest {
  static final String MARKER = "<!-- quickstart: examples/Quickstart.java -->";

  static Path bindingDir() {
    return Path.of(System.getProperty("vmengine.binding.dir", "."));
  }

  static Path capture() {
    return Path.of(System.getProperty("vmengine.source.dir", "../.."))
        .resolve("examples/data/node_exporter_1s_1200.prom.zst");
  }

  /** The code block that follows the marker line in README.md. */
  static String readmeBlock() throws Exception {
    String readme = Files.readString(bindingDir().resolve("README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf(MARKER);
    assertTrue(at >= 0, "README.md has no line " + MARKER);
    Matcher m =
        Pattern.compile("\\G\\s*```java\\n(.*?)^```$", Pattern.DOTALL | Pattern.MULTILINE)
            .matcher(readme);
    assertTrue(m.find(at + MARKER.length()), "no ```java block right after " + MARKER);
    return m.group(1);
  }

  @Test
  void readmeShowsTheQuickstartVerbatim() throws Exception {
    String file =
        Files.readString(bindingDir().resolve("examples/Quickstart.java"), StandardCharsets.UTF_8);
    assertEquals(file, readmeBlock());
  }

  @Test
  void quickstartRunsOnTheCapture(@TempDir Path dir) throws Exception {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      Class.forName("Quickstart")
          .getMethod("main", String[].class)
          .invoke(null, (Object) new String[] {capture().toString(), dir.toString()});
    } finally {
      System.setOut(saved);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    saved.print(text);
    assertTrue(
        text.contains("imported 608400 samples from 608400 lines (0 rejected, 0 skipped)"), text);
    assertTrue(text.contains("series: 507\n"), text);
    assertTrue(
        text.contains("cpu modes: [idle, iowait, irq, nice, softirq, steal, system, user]"), text);
    assertTrue(text.contains("cpu 0: 1200 samples from 2026-11-21T"), text);
    assertTrue(text.contains("cpu 1: 1200 samples from 2026-11-21T"), text);
    // The data stays in the directory: reopen and count.
    try (Db db = VmEngine.open(dir)) {
      assertEquals(507, db.seriesCount());
    }
  }
}
