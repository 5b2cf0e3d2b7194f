package org.vmengine;

/** A NULL or malformed argument: a bad regex, selector, label, time range, option or snapshot name (VME_ERR_INVALID_ARGUMENT). */
public class InvalidArgumentException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the message of the C error (code -1). */
  public InvalidArgumentException(String message) {
    super(INVALID_ARGUMENT, message);
  }
}
