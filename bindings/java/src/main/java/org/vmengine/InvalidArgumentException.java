package org.vmengine;

/**
 * A null or malformed argument: a bad regex, selector, label, time range, option, snapshot name
 * or, in a strict import, a malformed line (VME_ERR_INVALID_ARGUMENT).
 */
public class InvalidArgumentException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -1).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public InvalidArgumentException(String message) {
    super(INVALID_ARGUMENT, message);
  }
}
