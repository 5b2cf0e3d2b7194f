package org.vmengine;

/** A bug in vmengine; please report it (VME_ERR_INTERNAL). */
public class InternalException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -10).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public InternalException(String message) {
    super(INTERNAL, message);
  }
}
