package org.vmengine;

/** The operation cannot run now; retry later (VME_ERR_BUSY). */
public class BusyException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -7).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public BusyException(String message) {
    super(BUSY, message);
  }
}
