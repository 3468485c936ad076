package dev.cdm.model.data;

/** An input image that cannot be read or decoded; the message names the input. */
public final class BadImageException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String input;

  public BadImageException(String input, String reason) {
    super(input + ": " + reason);
    this.input = input;
  }

  public BadImageException(String input, String reason, Throwable cause) {
    super(input + ": " + reason, cause);
    this.input = input;
  }

  /** The file, archive entry or record that failed. */
  public String input() {
    return input;
  }
}
