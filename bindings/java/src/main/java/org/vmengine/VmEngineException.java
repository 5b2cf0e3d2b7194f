package org.vmengine;

import java.nio.charset.StandardCharsets;

/**
 * Base class of every error reported by vmengine. Each instance carries the C status code
 * ({@link #code()}, one of the constants below, the VME_ERR_* values of vmengine.h) and the
 * message of the C error object, which names the file, offset, argument or line at fault.
 *
 * <p>The hierarchy is <b>unchecked</b> (extends {@link RuntimeException}) so that the API works
 * inside lambdas, iterators and streams. One subclass per error family: {@link
 * InvalidArgumentException}, {@link NotFoundException}, {@link CorruptionException}, {@link
 * IoException}, {@link ClosedException}, {@link BusyException}, {@link MisuseException},
 * {@link InternalException}, {@link LockedException}, {@link LimitException}. Codes without a
 * subclass ({@link #NO_MEMORY}, {@link #BUFFER_TOO_SMALL}) use this class itself.
 */
public class VmEngineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** VME_ERR_INVALID_ARGUMENT. */
  public static final int INVALID_ARGUMENT = -1;
  /** VME_ERR_NOT_FOUND. */
  public static final int NOT_FOUND = -2;
  /** VME_ERR_CORRUPTION. */
  public static final int CORRUPTION = -3;
  /** VME_ERR_IO. */
  public static final int IO = -4;
  /** VME_ERR_NO_MEMORY. */
  public static final int NO_MEMORY = -5;
  /** VME_ERR_CLOSED. */
  public static final int CLOSED = -6;
  /** VME_ERR_BUSY. */
  public static final int BUSY = -7;
  /** VME_ERR_BUFFER_TOO_SMALL. */
  public static final int BUFFER_TOO_SMALL = -8;
  /** VME_ERR_MISUSE. */
  public static final int MISUSE = -9;
  /** VME_ERR_INTERNAL. */
  public static final int INTERNAL = -10;
  /** VME_ERR_LOCKED. */
  public static final int LOCKED = -11;
  /** VME_ERR_LIMIT. */
  public static final int LIMIT = -12;

  /** The C status code (a negative VME_ERR_* value). */
  private final int code;

  /**
   * Creates an exception with a C status code and message.
   *
   * @param code the status code, a negative VME_ERR_* value
   * @param message the message of the C error
   */
  public VmEngineException(int code, String message) {
    super(message);
    this.code = code;
  }

  /**
   * The C status code.
   *
   * @return a negative VME_ERR_* value, one of the constants of this class
   */
  public int code() {
    return code;
  }

  /**
   * The name of a status code as vme_status_string gives it.
   *
   * @param code a status code
   * @return e.g. "invalid argument", or "status N" for an unknown code
   */
  public static String codeName(int code) {
    switch (code) {
      case INVALID_ARGUMENT:
        return "invalid argument";
      case NOT_FOUND:
        return "not found";
      case CORRUPTION:
        return "corruption";
      case IO:
        return "I/O error";
      case NO_MEMORY:
        return "out of memory";
      case CLOSED:
        return "closed";
      case BUSY:
        return "busy";
      case BUFFER_TOO_SMALL:
        return "buffer too small";
      case MISUSE:
        return "misuse";
      case INTERNAL:
        return "internal error";
      case LOCKED:
        return "locked";
      case LIMIT:
        return "limit exceeded";
      default:
        return "status " + code;
    }
  }

  /**
   * Creates the exception of the class matching {@code code}.
   *
   * @param code a status code
   * @param message the message
   * @return an instance of the subclass for the code, or of this class for codes without one
   */
  public static VmEngineException of(int code, String message) {
    switch (code) {
      case INVALID_ARGUMENT:
        return new InvalidArgumentException(message);
      case NOT_FOUND:
        return new NotFoundException(message);
      case CORRUPTION:
        return new CorruptionException(message);
      case IO:
        return new IoException(message);
      case CLOSED:
        return new ClosedException(message);
      case BUSY:
        return new BusyException(message);
      case MISUSE:
        return new MisuseException(message);
      case INTERNAL:
        return new InternalException(message);
      case LOCKED:
        return new LockedException(message);
      case LIMIT:
        return new LimitException(message);
      default:
        return new VmEngineException(code, message);
    }
  }

  /** Called by the JNI layer (vmengine.i) with the code and UTF-8 message of a vme_error. */
  @SuppressWarnings("unused")
  private static VmEngineException fromNative(int code, byte[] message) {
    return of(code, new String(message, StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return getClass().getName() + " (" + codeName(code) + "): " + getMessage();
  }
}
