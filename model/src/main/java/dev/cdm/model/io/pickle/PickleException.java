package dev.cdm.model.io.pickle;

import java.io.IOException;

/**
 * A pickle stream that cannot be read safely: truncated or corrupt bytes, an unknown opcode, or a
 * global that is not on the allow-list. The message always names the input it came from.
 */
public class PickleException extends IOException {
  public PickleException(String message) {
    super(message);
  }

  public PickleException(String message, Throwable cause) {
    super(message, cause);
  }
}
