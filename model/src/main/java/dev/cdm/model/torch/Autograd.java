package dev.cdm.model.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Thin access to torch autograd. DJL's {@code GradientCollector} allows only one collector in the
 * whole JVM at a time, which rules out one training thread per device; torch's grad mode is
 * thread-local, so each replica thread switches it itself and calls backward directly.
 */
public final class Autograd {
  private Autograd() {}

  /**
   * True while this thread records gradients (torch's grad mode: a {@code GradientCollector} is
   * open, or {@link #withGrad} runs). {@code NDArray.hasGradient()} cannot tell this: it is false
   * for intermediates that do carry a graph.
   */
  public static boolean isGradMode() {
    return JniUtils.isGradMode();
  }

  /** Switches this thread's grad mode; callers restore the previous mode when done. */
  public static void setGradMode(boolean enabled) {
    JniUtils.setGradMode(enabled);
  }

  /**
   * Runs {@code body} with gradient recording off (torch.no_grad()), restoring the previous mode.
   */
  public static <T> T noGrad(Supplier<T> body) {
    boolean prev = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      return body.get();
    } finally {
      JniUtils.setGradMode(prev);
    }
  }

  /** Runs {@code body} with gradient recording on, restoring the previous mode. */
  public static <T> T withGrad(Supplier<T> body) {
    boolean prev = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
    try {
      return body.get();
    } finally {
      JniUtils.setGradMode(prev);
    }
  }

  /**
   * {@code loss.backward()} for a scalar loss; gradients accumulate into the leaves' {@code .grad}.
   */
  public static void backward(NDArray scalarLoss) {
    try (NDArray ones = scalarLoss.onesLike()) {
      JniUtils.backward((PtNDArray) scalarLoss, (PtNDArray) ones, false, false);
    }
  }

  /**
   * A leaf's {@code .grad}, or null where backward has not filled one (DJL's {@code getGradient}
   * would allocate zeros).
   */
  public static NDArray gradientOrNull(NDArray leaf) {
    return JniUtils.getGradient((PtNDArray) leaf);
  }

  /** Sets a leaf's gradient to zero in place (torch's {@code grad.zero_()}). */
  public static void zeroGrad(NDArray leaf) {
    JniUtils.zeroGrad((PtNDArray) leaf);
  }
}
