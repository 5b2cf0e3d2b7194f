package org.vmengine;

/** The operating system refused an operation, e.g. disk full or permissions (VME_ERR_IO).
 *
 * <p>Not to be confused with the checked {@link java.io.IOException}: this class is unchecked,
 * like every vmengine exception, and does not extend it. */
public class IoException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -4).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public IoException(String message) {
    super(IO, message);
  }
}
