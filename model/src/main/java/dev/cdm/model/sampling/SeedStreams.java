package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.TorchRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-seed random streams of {@code generate.py}'s {@code StackedRandomGenerator}: every seed
 * has its own generator, from which come, in this order, the latents ([C, H, W] float32), the class
 * label ({@code randint(label_dim)}, conditional networks only) and then every {@code randn_like}
 * of the sampler ([C, H, W] in the sampler's float64).
 *
 * <p>libtorch has one default generator per device, so each seed's whole stream is drawn up front
 * (re-seed, then draw everything) under {@link TorchRandom#LOCK}; the rows are then stacked along
 * the batch axis exactly as {@code torch.stack} does. The noise is handed out by {@link #randnLike}
 * in draw order.
 */
public final class SeedStreams implements NoiseSource, AutoCloseable {
  private final NDArray latents;
  private final long[] labelIndices;
  private final List<NDArray> noise;
  private int nextNoise;

  private SeedStreams(NDArray latents, long[] labelIndices, List<NDArray> noise) {
    this.latents = latents;
    this.labelIndices = labelIndices;
    this.noise = noise;
  }

  /**
   * Draws the streams of {@code seeds} on {@code manager}'s device.
   *
   * @param imageShape [C, H, W] of one latent
   * @param labelDim number of classes; 0 = no label draw
   * @param noiseDraws how many {@code randn_like} calls the sampler will make (see {@link
   *     Sampler#noiseDraws})
   * @param noiseType data type of the sampler's noise (float64 in the reference samplers)
   */
  public static SeedStreams draw(
      NDManager manager,
      long[] seeds,
      Shape imageShape,
      int labelDim,
      int noiseDraws,
      DataType noiseType) {
    int n = seeds.length;
    NDList latentRows = new NDList(n);
    long[] labels = labelDim > 0 ? new long[n] : null;
    List<NDList> noiseRows = new ArrayList<>(noiseDraws);
    for (int k = 0; k < noiseDraws; k++) {
      noiseRows.add(new NDList(n));
    }
    try (NDManager scratch = manager.newSubManager()) {
      synchronized (TorchRandom.LOCK) {
        for (int b = 0; b < n; b++) {
          TorchRandom.manualSeed(seeds[b]);
          latentRows.add(scratch.randomNormal(0f, 1f, imageShape, DataType.FLOAT32));
          if (labelDim > 0) {
            labels[b] = scratch.randomInteger(0, labelDim, new Shape(), DataType.INT64).getLong();
          }
          for (int k = 0; k < noiseDraws; k++) {
            noiseRows.get(k).add(scratch.randomNormal(0f, 1f, imageShape, noiseType));
          }
        }
      }
      NDArray lat = NDArrays.stack(latentRows);
      lat.attach(manager);
      List<NDArray> noise = new ArrayList<>(noiseDraws);
      for (NDList rows : noiseRows) {
        NDArray z = NDArrays.stack(rows);
        z.attach(manager);
        noise.add(z);
      }
      return new SeedStreams(lat, labels, noise);
    }
  }

  /** The stacked latents [N, C, H, W] float32. */
  public NDArray latents() {
    return latents;
  }

  /** The per-seed {@code randint(label_dim)} draws, or null for unconditional networks. */
  public long[] labelIndices() {
    return labelIndices == null ? null : labelIndices.clone();
  }

  /**
   * One-hot class labels [N, labelDim] float32 as {@code torch.eye(label_dim)[idx]}; with {@code
   * classIdx >= 0} every row is that class instead (the drawn labels are still consumed, as in the
   * reference). Null for unconditional networks.
   */
  public NDArray classLabels(NDManager manager, int labelDim, int classIdx) {
    if (labelDim == 0) {
      return null;
    }
    int n = labelIndices.length;
    float[] oneHot = new float[n * labelDim];
    for (int b = 0; b < n; b++) {
      int c = classIdx >= 0 ? classIdx : (int) labelIndices[b];
      oneHot[b * labelDim + c] = 1f;
    }
    return manager.create(oneHot, new Shape(n, labelDim));
  }

  /** The next pre-drawn noise array; its shape and type must be those of {@code like}. */
  @Override
  public NDArray randnLike(NDArray like) {
    if (nextNoise >= noise.size()) {
      throw new IllegalStateException(
          "the sampler asked for noise draw "
              + (nextNoise + 1)
              + " but only "
              + noise.size()
              + " were drawn up front; Sampler.noiseDraws() undercounts");
    }
    NDArray z = noise.get(nextNoise);
    noise.set(nextNoise++, null);
    if (!z.getShape().equals(like.getShape()) || z.getDataType() != like.getDataType()) {
      throw new IllegalStateException(
          "pre-drawn noise is "
              + z.getShape()
              + " "
              + z.getDataType()
              + " but the sampler needs "
              + like.getShape()
              + " "
              + like.getDataType());
    }
    return z;
  }

  @Override
  public void close() {
    latents.close();
    for (NDArray z : noise) {
      if (z != null) {
        z.close();
      }
    }
  }
}
