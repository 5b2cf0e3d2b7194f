package org.vmengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
  @TempDir Path dir;

  @Test
  void threadsWithCloseInTheMiddle() throws Exception {
    Db db = VmEngine.open(dir);
    int threads = 4;
    // Counted down by each worker once it has made every kind of call (or stopped early), so
    // that close() lands while all of them are busy, with no sleep.
    CountDownLatch busy = new CountDownLatch(threads);
    AtomicLong rows = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> closedSeen = new ConcurrentLinkedQueue<>();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final int id = t;
      Thread th =
          new Thread(
              () -> {
                Labels[] ls = new Labels[50];
                for (int k = 0; k < ls.length; k++) {
                  ls[k] = Labels.metric("conc", "thread", "t" + id, "k", Integer.toString(k));
                }
                Batch b = db.batch(ls.length);
                long ts0 = DbTest.T;
                boolean counted = false;
                try {
                  for (int i = 0; ; i++) {
                    for (Labels l : ls) b.add(l, ts0 + i, i);
                    rows.addAndGet(b.commit().rowsAdded());
                    switch (i % 4) {
                      case 0:
                        db.seriesCount(Query.metric("conc"));
                        break;
                      case 1:
                        try (SeriesIterator it = db.search(Query.all().eq("thread", "t" + id))) {
                          while (it.hasNext()) it.next();
                        }
                        break;
                      case 2:
                        db.labelValues("k");
                        break;
                      default:
                        if (id == 0) db.flush();
                        db.stats();
                    }
                    if (i == 3) {
                      busy.countDown();
                      counted = true;
                    }
                  }
                } catch (ClosedException e) {
                  closedSeen.add(id);
                } catch (Throwable e) {
                  unexpected.add(e);
                } finally {
                  if (!counted) busy.countDown();
                }
              });
      ts.add(th);
      th.start();
    }
    busy.await();
    db.close();
    // A worker that never stops hangs here; the test runner's timeout reports it.
    for (Thread th : ts) th.join();
    if (!unexpected.isEmpty()) {
      AssertionError e = new AssertionError("unexpected exceptions: " + unexpected);
      unexpected.forEach(e::addSuppressed);
      throw e;
    }
    assertEquals(threads, closedSeen.size());
    assertThrows(ClosedException.class, db::flush);
    assertThrows(ClosedException.class, () -> db.batch().add(Labels.metric("x"), 1, 1).commit());
    db.close();
    assertTrue(rows.get() > 0);
    // Everything committed before close is durable.
    try (Db again = VmEngine.open(dir)) {
      long stored =
          again.searchAll(Query.metric("conc")).stream().mapToLong(Series::size).sum();
      assertEquals(rows.get(), stored);
    }
  }
}
