import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.vmengine.Db;
import org.vmengine.ImportResult;
import org.vmengine.Options;
import org.vmengine.Query;
import org.vmengine.Series;
import org.vmengine.SeriesIterator;
import org.vmengine.VmEngine;

/** Loads a real node_exporter capture into a new db and queries it. */
public class Quickstart {
  public static void main(String[] args) {
    // args[0]: the capture, examples/data/node_exporter_1s_1200.prom.zst of the repository;
    // args[1] (optional): the data directory, else a new temporary one.
    Path capture = Path.of(args[0]);
    Path dir = args.length > 1 ? Path.of(args[1]) : tempDir();
    // The capture's samples are from November 2026: keep ten years.
    Options options = new Options().retention(Duration.ofDays(3650));
    try (Db db = VmEngine.open(dir, options)) {
      ImportResult r = db.importPrometheusFile(capture); // plain text or zstd, one call
      System.out.println("imported " + r.rows().rowsAdded() + " samples from " + r.linesRead()
          + " lines (" + r.rows().rejected() + " rejected, " + r.linesSkipped() + " skipped)");
      db.flush(); // durable and searchable now
      System.out.println("series: " + db.seriesCount());
      System.out.println("cpu modes: "
          + db.labelValues("mode", Query.metric("node_cpu_seconds_total")));

      // Idle share of each CPU over the capture: the counter's increase over the elapsed time.
      Query idle = Query.selector("node_cpu_seconds_total{mode=\"idle\"}")
          .timeRange(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));
      System.out.println(idle);
      try (SeriesIterator it = db.search(idle)) {
        while (it.hasNext()) {
          Series s = it.next();
          long[] ts = s.timestamps();
          double[] v = s.values();
          int last = s.size() - 1;
          double seconds = (ts[last] - ts[0]) / 1000.0;
          System.out.printf("cpu %s: %d samples from %s to %s, idle %.1f %%%n",
              s.labels().get("cpu"), s.size(), Instant.ofEpochMilli(ts[0]),
              Instant.ofEpochMilli(ts[last]), 100 * (v[last] - v[0]) / seconds);
        }
      }
    }
  }

  static Path tempDir() {
    try {
      return Files.createTempDirectory("vmengine-quickstart");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
