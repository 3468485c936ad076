package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.Supplier;

/**
 * Where the network's dropout and label dropout draw their random numbers on this thread.
 *
 * <p>By default (no stream set) they draw from the engine's generator: dropout through DJL's fused
 * op, label dropout through {@code randomUniform}, exactly as before. That is reproducible as long
 * as one thread uses the engine. With several data-parallel replica threads it is not: torch's
 * {@code manual_seed}, which one replica calls before its forward, reseeds every device's
 * generator, so another replica's reseeding can land in the middle of this replica's forward. The
 * training loop therefore runs each replica's forward/backward {@link #with} a stream of its own (a
 * {@code SeededRandomSource}, which reseeds and draws under one JVM-wide lock), and every mask is
 * then a function of (seed, step, replica, round, draw index), whatever the threads' interleaving.
 */
public final class DropoutStream {
  /**
   * Uniform [0, 1) float32 samples of {@code shape} on {@code manager}'s device ({@code
   * torch.rand}).
   */
  @FunctionalInterface
  public interface Uniform {
    NDArray rand(NDManager manager, Shape shape);
  }

  private static final ThreadLocal<Uniform> STREAM = new ThreadLocal<>();

  private DropoutStream() {}

  /** Runs {@code body} with this thread's dropout draws taken from {@code stream}. */
  public static <T> T with(Uniform stream, Supplier<T> body) {
    Uniform before = STREAM.get();
    STREAM.set(stream);
    try {
      return body.get();
    } finally {
      if (before == null) {
        STREAM.remove();
      } else {
        STREAM.set(before);
      }
    }
  }

  /**
   * {@code torch.nn.functional.dropout(x, p, training=True)}: keep each element with probability
   * 1-p and scale the kept ones by 1/(1-p). The mask is a constant, so the gradient flows through x
   * only (times the same mask).
   *
   * <p>Through a stream: {@code (x * keep) * (1/(1-p))} with {@code keep} boolean, so that backward
   * keeps one byte per element, as the reference's fused CUDA dropout keeps its boolean mask. A
   * mask in the activation's dtype would keep two bytes (fp16) or four (fp32) per element for every
   * block of the network: about 430 MiB more at fp16 for DDPM++ CIFAR-10 at batch 128. The scale is
   * a host scalar multiplied in float (one rounding, as the fused kernel does).
   */
  static NDArray dropout(Forward f, NDArray x, double p) {
    Uniform stream = STREAM.get();
    if (stream == null) {
      return x.getNDArrayInternal().dropout(x, (float) p, true).singletonOrThrow();
    }
    NDArray keep;
    try (NDArray u = stream.rand(f.manager(), x.getShape());
        NDArray onDevice = u.toDevice(x.getDevice(), false)) {
      keep = HostScalars.gte(onDevice, p);
    }
    try (keep;
        NDArray kept = x.mul(keep)) {
      return HostScalars.mul(kept, 1.0 / (1.0 - p));
    }
  }

  /**
   * The label-dropout keep mask [n, 1] of the reference ({@code torch.rand([N, 1]) >= p}), in
   * {@code dtype} on {@code like}'s device.
   */
  static NDArray labelKeep(Forward f, long n, double p, DataType dtype, NDArray like) {
    Uniform stream = STREAM.get();
    NDArray u =
        stream == null
            ? f.manager().randomUniform(0f, 1f, new Shape(n, 1), DataType.FLOAT32, like.getDevice())
            : stream.rand(f.manager(), new Shape(n, 1)).toDevice(like.getDevice(), false);
    return HostScalars.gte(u, p).toType(dtype, false);
  }
}
