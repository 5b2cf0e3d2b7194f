package org.vmengine;

/** The db (or the db of this iterator) is closed (VME_ERR_CLOSED). Thrown by every call on a
 * closed {@link Db}, {@link Batch} or {@link SeriesIterator}. */
public class ClosedException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -6).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public ClosedException(String message) {
    super(CLOSED, message);
  }
}
