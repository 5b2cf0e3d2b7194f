package org.vmengine;

/** Another process (or another open {@link Db} in this process) holds the data directory's
 * flock.lock (VME_ERR_LOCKED). */
public class LockedException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the message of the C error (code -11). */
  public LockedException(String message) {
    super(LOCKED, message);
  }
}
