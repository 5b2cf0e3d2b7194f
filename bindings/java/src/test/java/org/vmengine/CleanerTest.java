package org.vmengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Cleaner closes a Db that was never closed: its rows become durable and the directory lock
 * is released. Deterministic: the loop is bounded by attempts (each a full GC and one open), not
 * by time, and nothing sleeps.
 */
class CleanerTest {
  static final int ATTEMPTS = 500;

  @TempDir Path dir;

  /** Opens a db, adds a series without flushing, and drops the Db without closing it. */
  private static void openAddAndForget(Path dir) {
    Db db = VmEngine.open(dir);
    db.addSeries(Labels.metric("leaked", "k", "v"), new long[] {DbTest.T}, new double[] {42});
    assertThrows(LockedException.class, () -> VmEngine.open(dir)); // it holds the lock
  }

  @Test
  void cleanerReleasesTheLockOfAnUnclosedDb() {
    long before = Db.cleanerCloses();
    openAddAndForget(dir);
    Db reopened = null;
    for (int i = 0; i < ATTEMPTS && reopened == null; i++) {
      System.gc();
      try {
        reopened = VmEngine.open(dir);
      } catch (LockedException stillHeld) {
        Thread.yield(); // give the Cleaner thread a turn; no sleep, no clock
      }
    }
    if (reopened == null) fail("the directory is still locked after " + ATTEMPTS + " GCs");
    try (Db db = reopened) {
      assertEquals(before + 1, Db.cleanerCloses());
      // The Cleaner's close made the unflushed row durable.
      Series s = db.searchAll(Query.metric("leaked")).get(0);
      assertEquals(42.0, s.values()[0], 0.0);
    }
  }

  @Test
  void explicitCloseIsNotTheCleaners() {
    long before = Db.cleanerCloses();
    Db db = VmEngine.open(dir);
    db.close();
    db.close();
    assertTrue(db.isClosed());
    assertEquals(before, Db.cleanerCloses());
    assertThrows(ClosedException.class, db::flush);
  }

  @Test
  void cleanupActionClosesTheHandle() {
    // The action itself, run directly as the Cleaner would (the Db object stays reachable here,
    // so only the action runs): the handle is released and the lock with it.
    Db db = VmEngine.open(dir);
    long before = Db.cleanerCloses();
    Db.Handle action = db.handleForTest();
    action.run();
    assertEquals(before + 1, Db.cleanerCloses());
    assertTrue(db.isClosed());
    assertThrows(ClosedException.class, db::seriesCount);
    VmEngine.open(dir).close(); // the lock is free
    action.run(); // runs once
    assertEquals(before + 1, Db.cleanerCloses());
    db.close(); // and close() after it is a no-op
  }
}
