package dev.cdm.transforms.generate;

import com.google.auto.value.AutoValue;
import dev.cdm.model.sampling.SamplerSpec;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Seed batches in, generated images out: spreads the batches over the workers (a reshuffle, so that
 * one worker does not run them all) and runs {@link GenerateImagesFn} on each. Reusable by any job
 * that needs samples (image files, streaming FID).
 *
 * <p>The reshuffle keys each batch at random, so a worker can get several batches more than another
 * and the job then ends on one worker. Where the batches come from {@link SeedBatches} (a source
 * that the runner hands out one batch at a time, as workers ask), {@link Builder#setSpread
 * setSpread(false)} leaves that alone and no shuffle runs.
 */
@AutoValue
public abstract class GenerateImages
    extends PTransform<PCollection<List<Long>>, PCollection<GeneratedImage>> {
  private static final long serialVersionUID = 1L;

  /** The network of every window, or {@link #perWindow} the network of each window. */
  public abstract SerializableFunction<BoundedWindow, DenoiserFactory> networks();

  /** Whether {@link #networks} depends on the window (else it is one network, loaded at setup). */
  public abstract boolean perWindow();

  public abstract SamplerSpec sampler();

  /** Forced class or -1 (random per-seed labels). */
  public abstract int classIdx();

  /** A {@code --device} value: auto, cpu, gpu or gpu:N,... (one device per worker slot). */
  public abstract String device();

  /** Names the job in progress lines. */
  public abstract String progressName();

  /** Total images of the job, for the ETA (0 = unknown). */
  public abstract long totalImages();

  /** Whether the batches are reshuffled over the workers first (see the class comment). */
  public abstract boolean spread();

  public static Builder builder() {
    return new AutoValue_GenerateImages.Builder()
        .setClassIdx(-1)
        .setDevice(dev.cdm.fid.Devices.DEFAULT)
        .setProgressName("generate")
        .setTotalImages(0)
        .setSpread(true);
  }

  /** Configuration of the generation step. */
  @AutoValue.Builder
  public abstract static class Builder {
    /** One network for all samples. */
    public Builder setNetwork(DenoiserFactory v) {
      return setNetworks(w -> v).setPerWindow(false);
    }

    /**
     * The network of each element's window, e.g. one per snapshot window: totalImages is then per
     * window and progress is reported per window.
     */
    public Builder setNetworkPerWindow(SerializableFunction<BoundedWindow, DenoiserFactory> v) {
      return setNetworks(v).setPerWindow(true);
    }

    abstract Builder setNetworks(SerializableFunction<BoundedWindow, DenoiserFactory> v);

    abstract Builder setPerWindow(boolean v);

    public abstract Builder setSampler(SamplerSpec sampler);

    public abstract Builder setClassIdx(int classIdx);

    public abstract Builder setDevice(String device);

    public abstract Builder setProgressName(String progressName);

    public abstract Builder setTotalImages(long totalImages);

    /**
     * {@code false}: the input is {@link SeedBatches}, which the runner hands out to the workers as
     * they ask, so no reshuffle is added (see the class comment). Default {@code true}.
     */
    public abstract Builder setSpread(boolean spread);

    public abstract GenerateImages build();
  }

  @Override
  public PCollection<GeneratedImage> expand(PCollection<List<Long>> seedBatches) {
    return samplesAndFailures(seedBatches).get(GenerateImagesFn.SAMPLES);
  }

  /**
   * The same step with its second output: {@link GenerateImagesFn#SAMPLES} and {@link
   * GenerateImagesFn#FAILURES} (with {@link #perWindow}: one line per worker slot and window whose
   * network could not be loaded, in that window).
   */
  public PTransform<PCollection<List<Long>>, PCollectionTuple> withFailures() {
    GenerateImages self = this;
    return new PTransform<PCollection<List<Long>>, PCollectionTuple>(getName()) {
      private static final long serialVersionUID = 1L;

      @Override
      public PCollectionTuple expand(PCollection<List<Long>> seedBatches) {
        return self.samplesAndFailures(seedBatches);
      }
    };
  }

  private PCollectionTuple samplesAndFailures(PCollection<List<Long>> seedBatches) {
    PCollection<List<Long>> spread =
        spread() ? seedBatches.apply("SpreadBatches", Reshuffle.viaRandomKey()) : seedBatches;
    PCollectionTuple out =
        spread.apply(
            "Sample",
            ParDo.of(
                    perWindow()
                        ? GenerateImagesFn.perWindow(
                            networks(),
                            sampler(),
                            classIdx(),
                            device(),
                            progressName(),
                            totalImages())
                        : new GenerateImagesFn(
                            networks().apply(null),
                            sampler(),
                            classIdx(),
                            device(),
                            progressName(),
                            totalImages()))
                .withOutputTags(
                    GenerateImagesFn.SAMPLES, TupleTagList.of(GenerateImagesFn.FAILURES)));
    out.get(GenerateImagesFn.FAILURES).setCoder(StringUtf8Coder.of());
    return out;
  }
}
