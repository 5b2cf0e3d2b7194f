package org.vmengine;

/** A bug in vmengine; please report it (VME_ERR_INTERNAL). */
public class InternalException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the message of the C error (code -10). */
  public InternalException(String message) {
    super(INTERNAL, message);
  }
}
