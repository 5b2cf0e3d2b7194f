package org.vmengine;

/** The operation cannot run now; retry later (VME_ERR_BUSY). */
public class BusyException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the message of the C error (code -7). */
  public BusyException(String message) {
    super(BUSY, message);
  }
}
