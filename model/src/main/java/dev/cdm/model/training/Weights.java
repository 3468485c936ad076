package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import dev.cdm.model.torch.Autograd;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Copies named weights into a network's parameters in place, checking names and shapes. */
final class Weights {
  private Weights() {}

  /**
   * Every parameter of {@code dst} from {@code src}; {@code what} names the source in errors (a
   * missing name or a shape mismatch).
   */
  static void copyInto(Map<String, NDArray> dst, Map<String, NDArray> src, String what) {
    Autograd.noGrad(
        () -> {
          for (Map.Entry<String, NDArray> e : dst.entrySet()) {
            NDArray s = src.get(e.getKey());
            if (s == null) {
              throw new IllegalArgumentException(
                  what + ": no weights for parameter '" + e.getKey() + "'");
            }
            if (!s.getShape().equals(e.getValue().getShape())) {
              throw new IllegalArgumentException(
                  what
                      + ": parameter '"
                      + e.getKey()
                      + "' has shape "
                      + s.getShape()
                      + ", the network expects "
                      + e.getValue().getShape());
            }
            Tensors.assign(e.getValue(), s);
          }
          return null;
        });
  }

  /**
   * The reference's copy_params_and_buffers(require_all=False): parameters the source has are
   * copied (a shape mismatch is an error), the others keep their fresh initialisation.
   */
  static void transfer(Map<String, NDArray> dst, Map<String, NDArray> src, Consumer<String> log) {
    Map<String, NDArray> present = new LinkedHashMap<>();
    for (String k : dst.keySet()) {
      if (src.containsKey(k)) {
        present.put(k, dst.get(k));
      }
    }
    copyInto(present, src, "--transfer");
    log.accept(
        String.format(
            Locale.ROOT, "Transferred %d of %d parameter tensors.", present.size(), dst.size()));
  }
}
