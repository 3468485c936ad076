package dev.cdm.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A counter-based stream over the engine's generator: before each draw the engine is seeded with a
 * hash of (seed, stream, draw counter), under one JVM-wide lock. The generator's internal state
 * therefore never needs saving: a stream is fully described by its seed, its stream id (the
 * training loop uses (step, replica, accumulation round)) and how many draws it has made, so a
 * resumed run continues exactly, and replica threads on different devices cannot disturb each
 * other's numbers however their draws interleave.
 */
public final class SeededRandomSource implements RandomSource {
  private static final Object ENGINE_LOCK = new Object();

  private final long seed;
  private final long stream;
  private long counter;

  public SeededRandomSource(long seed, long stream) {
    this.seed = seed;
    this.stream = stream;
  }

  /** A stream id from the parts that identify one loss evaluation. */
  public static long streamOf(long step, int replica, int round) {
    return mix(mix(step) ^ (replica * 0x9E3779B97F4A7C15L)) ^ (round * 0xC2B2AE3D27D4EB4FL);
  }

  /** SplitMix64 finaliser: decorrelates nearby integers. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private long nextSeed() {
    return mix(mix(seed ^ mix(stream)) + counter++) & Long.MAX_VALUE;
  }

  /** Seeds the engine for a draw the caller makes itself (e.g. dropout inside a network call). */
  public void seedEngine() {
    synchronized (ENGINE_LOCK) {
      Engine.getInstance().setRandomSeed((int) nextSeed());
    }
  }

  @Override
  public NDArray randn(NDManager manager, Shape shape, DataType dtype) {
    synchronized (ENGINE_LOCK) {
      Engine.getInstance().setRandomSeed((int) nextSeed());
      return manager.randomNormal(0f, 1f, shape, dtype);
    }
  }

  @Override
  public NDArray rand(NDManager manager, Shape shape, DataType dtype) {
    synchronized (ENGINE_LOCK) {
      Engine.getInstance().setRandomSeed((int) nextSeed());
      return manager.randomUniform(0f, 1f, shape, dtype);
    }
  }

  @Override
  public NDArray randint(NDManager manager, long high, Shape shape) {
    synchronized (ENGINE_LOCK) {
      Engine.getInstance().setRandomSeed((int) nextSeed());
      return manager.randomInteger(0, high, shape, DataType.INT64);
    }
  }
}
