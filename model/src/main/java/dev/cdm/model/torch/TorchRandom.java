package dev.cdm.model.torch;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Access to libtorch's default generators, shared by every thread of the JVM.
 *
 * <p>{@code torch.manual_seed(s)} re-seeds the CPU generator and every CUDA generator; a fresh
 * {@code torch.Generator(dev).manual_seed(s)} is in the same state, so re-seeding the default
 * generators and drawing reproduces a per-seed generator bit for bit. Because the default
 * generators are global, a stream must be drawn completely while holding {@link #LOCK}.
 */
public final class TorchRandom {
  /** Held while re-seeding and drawing, so that threads do not interleave their streams. */
  public static final Object LOCK = new Object();

  private TorchRandom() {}

  /**
   * Seeds the default generators as {@code torch.Generator().manual_seed(int(seed) % (1 << 32))}
   * does in {@code generate.py}. Goes to libtorch directly because DJL's {@code
   * Engine.setRandomSeed(int)} cannot express seeds of 2^31 and above.
   */
  public static void manualSeed(long seed) {
    JniUtils.setSeed(Math.floorMod(seed, 1L << 32));
  }
}
