package org.vmengine;

/** A named snapshot, partition or file does not exist (VME_ERR_NOT_FOUND). */
public class NotFoundException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -2).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public NotFoundException(String message) {
    super(NOT_FOUND, message);
  }
}
