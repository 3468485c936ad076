package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.precond.Denoiser;

/**
 * One batch of {@code generate.py}: per-seed latents and labels, the sampler, then 8-bit pixels.
 * Independent of batch companions: each seed's image depends only on its own stream.
 */
public final class SeedImages {
  private SeedImages() {}

  /**
   * Runs {@code sampler} for {@code seeds} on {@code manager}'s device and returns the images [N,
   * C, H, W] in the sampler's float64. {@code classIdx} >= 0 forces that class (the reference's
   * {@code --class}); -1 = the drawn random labels.
   */
  public static NDArray sample(
      Denoiser net, Sampler sampler, NDManager manager, long[] seeds, int classIdx) {
    return sample(net, sampler, manager, seeds, classIdx, null);
  }

  /**
   * As {@link #sample}; each seed's class (its label, or -1 for unconditional) goes to {@code
   * classesOut}.
   */
  private static NDArray sample(
      Denoiser net,
      Sampler sampler,
      NDManager manager,
      long[] seeds,
      int classIdx,
      int[] classesOut) {
    int labelDim = net.labelDim();
    if (classIdx >= 0 && (labelDim == 0 || classIdx >= labelDim)) {
      throw new IllegalArgumentException(
          "--class="
              + classIdx
              + ": the network "
              + (labelDim == 0 ? "is unconditional" : "has only " + labelDim + " classes"));
    }
    Shape chw = new Shape(net.imgChannels(), net.imgResolution(), net.imgResolution());
    int draws = sampler.noiseDraws(net, manager);
    try (SeedStreams streams =
        SeedStreams.draw(manager, seeds, chw, labelDim, draws, DataType.FLOAT64)) {
      if (classesOut != null) {
        long[] drawn = streams.labelIndices();
        for (int b = 0; b < seeds.length; b++) {
          classesOut[b] = labelDim == 0 ? -1 : classIdx >= 0 ? classIdx : (int) drawn[b];
        }
      }
      NDArray labels = streams.classLabels(manager, labelDim, classIdx);
      NDArray x = sampler.sample(net, streams.latents(), labels, streams);
      if (labels != null) {
        labels.close();
      }
      return x;
    }
  }

  /** 8-bit samples [N, H, W, C] and the class each was generated for (-1: unconditional). */
  public record HwcBatch(byte[] pixels, int[] classes) {}

  /** As {@link #sample}, quantised to uint8 [N, H, W, C] on the CPU, with each seed's class. */
  public static HwcBatch sampleHwc(
      Denoiser net, Sampler sampler, NDManager manager, long[] seeds, int classIdx) {
    int[] classes = new int[seeds.length];
    try (NDManager scratch = manager.newSubManager()) {
      NDArray x = sample(net, sampler, scratch, seeds, classIdx, classes);
      x.attach(scratch);
      NDArray u8 = ImageQuantizer.toUint8(x).transpose(0, 2, 3, 1);
      return new HwcBatch(u8.toByteArray(), classes);
    }
  }

  /** As {@link #sample}, quantised to uint8 [N, H, W, C] on the CPU, ready for PNG encoding. */
  public static byte[] sampleHwcBytes(
      Denoiser net, Sampler sampler, NDManager manager, long[] seeds, int classIdx) {
    try (NDManager scratch = manager.newSubManager()) {
      NDArray x = sample(net, sampler, scratch, seeds, classIdx);
      x.attach(scratch);
      NDArray u8 = ImageQuantizer.toUint8(x).transpose(0, 2, 3, 1);
      return u8.toByteArray();
    }
  }
}
