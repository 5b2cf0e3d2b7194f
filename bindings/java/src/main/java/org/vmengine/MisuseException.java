package org.vmengine;

/** API misuse, e.g. adding rows to a db opened read-only (VME_ERR_MISUSE). */
public class MisuseException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the message of the C error (code -9). */
  public MisuseException(String message) {
    super(MISUSE, message);
  }
}
