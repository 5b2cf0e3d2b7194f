package org.vmengine;

/** A file on disk is malformed; the message names the file and offset (VME_ERR_CORRUPTION). */
public class CorruptionException extends VmEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception (code -3).
   *
   * @param message the message of the C error, naming the file, offset, argument or line
   */
  public CorruptionException(String message) {
    super(CORRUPTION, message);
  }
}
