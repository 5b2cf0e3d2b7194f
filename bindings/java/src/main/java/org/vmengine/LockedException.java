package org.vmengine;

/** Another process (or another open {@link Db} in this process) holds the data directory's
 * flock.lock (VME_ERR_LOCKED). */
public class LockedException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -11).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public LockedException(String message) {
    super(LOCKED, message);
  }
}
