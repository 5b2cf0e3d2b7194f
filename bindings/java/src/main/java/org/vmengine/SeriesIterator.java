package org.vmengine;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.vmengine.internal.NativeSeriesIter;

/**
 * Iterates the series of a search (vme_search / vme_series_iter_next), in TSID order. Each
 * {@link #next()} copies one series out of the engine.
 *
 * <p><b>Not thread-safe:</b> use an iterator from one thread at a time. Close it (try with
 * resources) to release the native iterator early; it closes itself when exhausted or when a
 * call fails. Closing the {@link Db} makes the next call throw {@link ClosedException}; the
 * iterator must still be closed (closing is valid after the db was closed). {@link #close()} is
 * idempotent.
 */
public final class SeriesIterator implements Iterator<Series>, AutoCloseable {
  @SuppressWarnings("unused") // keeps the db reachable (its Cleaner must not close it under us)
  private final Db db;
  private NativeSeriesIter it;
  private Series pending;
  private boolean done;

  SeriesIterator(Db db, NativeSeriesIter it) {
    this.db = db;
    this.it = it;
  }

  /**
   * Advances the native iterator if needed (vme_series_iter_next) and copies the next series out.
   *
   * @return whether another series follows
   * @throws ClosedException if this iterator was closed before the end or its db was closed
   * @throws CorruptionException for a malformed part
   * @throws IoException if a file cannot be read
   */
  @Override
  public boolean hasNext() {
    if (pending != null) return true;
    if (done) return false;
    if (it == null) throw new ClosedException("series iterator is closed");
    try {
      if (it.advance() != 0) {
        done = true;
        close();
        return false;
      }
      pending = read(it);
      return true;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * The next series; its arrays belong to the returned object.
   *
   * @return the next series
   * @throws java.util.NoSuchElementException at the end
   * @throws ClosedException if this iterator or its db was closed
   */
  @Override
  public Series next() {
    if (!hasNext()) throw new NoSuchElementException();
    Series s = pending;
    pending = null;
    return s;
  }

  private static Series read(NativeSeriesIter it) {
    byte[] key = it.keyBytes();
    int n = Math.toIntExact(it.sampleCount());
    long[] ts = new long[n];
    double[] values = new double[n];
    if (n > 0) {
      long copied = it.copySamples(ts, values);
      if (copied != n) throw new InternalException("copySamples returned " + copied + " of " + n);
    }
    return new Series(Labels.decode(key == null ? new byte[0] : key), ts, values);
  }

  /** Closes the native iterator (vme_series_iter_close). Idempotent. */
  @Override
  public void close() {
    NativeSeriesIter i = it;
    it = null;
    if (i != null) i.close();
  }
}
