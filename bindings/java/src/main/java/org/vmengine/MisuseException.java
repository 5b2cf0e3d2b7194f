package org.vmengine;

/** API misuse, e.g. adding rows to a db opened read-only (VME_ERR_MISUSE). */
public class MisuseException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -9).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public MisuseException(String message) {
    super(MISUSE, message);
  }
}
