package org.vmengine;

/** A configured limit was exceeded, e.g. {@link Query#limit(long)} (VME_ERR_LIMIT). */
public class LimitException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -12).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public LimitException(String message) {
    super(LIMIT, message);
  }
}
