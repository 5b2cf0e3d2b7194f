package org.vmengine;

/** A named snapshot, partition or file does not exist (VME_ERR_NOT_FOUND). */
public class NotFoundException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the message of the C error (code -2). */
  public NotFoundException(String message) {
    super(NOT_FOUND, message);
  }
}
