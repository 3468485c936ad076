package dev.cdm.transforms.generate;

import com.google.auto.value.AutoValue;
import dev.cdm.model.sampling.SamplerSpec;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;

/**
 * Seed batches in, generated images out: spreads the batches over the workers (a reshuffle, so
 * that one worker does not run them all) and runs {@link GenerateImagesFn} on each.
 * Reusable by any job that needs samples (image files, streaming FID).
 */
@AutoValue
public abstract class GenerateImages
    extends PTransform<PCollection<List<Long>>, PCollection<GeneratedImage>> {
  private static final long serialVersionUID = 1L;

  public abstract DenoiserFactory network();

  public abstract SamplerSpec sampler();

  /** Forced class or -1 (random per-seed labels). */
  public abstract int classIdx();

  /** A {@code --device} value: auto, cpu, gpu or gpu:N,... (one device per worker slot). */
  public abstract String device();

  /** Names the job in progress lines. */
  public abstract String progressName();

  /** Total images of the job, for the ETA (0 = unknown). */
  public abstract long totalImages();

  public static Builder builder() {
    return new AutoValue_GenerateImages.Builder()
        .setClassIdx(-1)
        .setDevice(dev.cdm.fid.Devices.DEFAULT)
        .setProgressName("generate")
        .setTotalImages(0);
  }

  /** Configuration of the generation step. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setNetwork(DenoiserFactory network);

    public abstract Builder setSampler(SamplerSpec sampler);

    public abstract Builder setClassIdx(int classIdx);

    public abstract Builder setDevice(String device);

    public abstract Builder setProgressName(String progressName);

    public abstract Builder setTotalImages(long totalImages);

    public abstract GenerateImages build();
  }

  @Override
  public PCollection<GeneratedImage> expand(PCollection<List<Long>> seedBatches) {
    return seedBatches
        .apply("SpreadBatches", Reshuffle.viaRandomKey())
        .apply(
            "Sample",
            ParDo.of(
                new GenerateImagesFn(
                    network(), sampler(), classIdx(), device(), progressName(), totalImages())));
  }
}
