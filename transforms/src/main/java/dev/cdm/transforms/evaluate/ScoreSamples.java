package dev.cdm.transforms.evaluate;

import com.google.auto.value.AutoValue;
import dev.cdm.fid.Detector;
import dev.cdm.transforms.generate.GeneratedImage;
import dev.cdm.transforms.io.JavaSerializedCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Fresh samples to scores per repeat: the detector on the workers (features, class probabilities, a
 * feature sample; see {@link ScoreSamplesFn}), a combine over all workers, then FID, IS and KID
 * against the reference file.
 *
 * <pre>
 *   GeneratedImage (seed r*num + k) → Detect (per bundle, on the device) → KV(r, partial scores)
 *     → gather per repeat and window until all num images are in (GatherRepeatFn)
 *     → Score (FID vs mu/sigma, IS, KID vs ref features) → RepeatScores
 * </pre>
 *
 * Each repeat is scored as soon as its {@code num} images are counted, not when the watermark
 * closes the window: a streaming pipeline gets its scores even where the watermark stalls.
 */
@AutoValue
public abstract class ScoreSamples
    extends PTransform<PCollection<GeneratedImage>, PCollection<RepeatScores>> {
  private static final long serialVersionUID = 1L;

  /** Path, http(s) URL or gs:// URI of a TorchScript detector. */
  public abstract String detector();

  /** "auto", "cpu", "gpu" or "gpu:N". */
  public abstract String device();

  /** The largest batch sent through the detector at once. */
  public abstract int maxBatch();

  /** Images per repeat: seed s scores in repeat s / num. */
  public abstract long num();

  public abstract int repeats();

  /** Images per repeat whose features are kept for KID (the first by position). */
  public abstract long kidImages();

  /** The reference statistics (.npz with mu, sigma and optionally features). */
  public abstract String ref();

  public static Builder builder() {
    return new AutoValue_ScoreSamples.Builder()
        .setDetector(Detector.INCEPTION_URL)
        .setDevice("auto")
        .setMaxBatch(64)
        .setRepeats(1)
        .setKidImages(1000);
  }

  /** Configuration of the scoring step. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setDetector(String detector);

    public abstract Builder setDevice(String device);

    public abstract Builder setMaxBatch(int maxBatch);

    public abstract Builder setNum(long num);

    public abstract Builder setRepeats(int repeats);

    public abstract Builder setKidImages(long kidImages);

    public abstract Builder setRef(String ref);

    public abstract ScoreSamples build();
  }

  @Override
  public PCollection<RepeatScores> expand(PCollection<GeneratedImage> samples) {
    KvCoder<Integer, SampleScores> coder =
        KvCoder.of(VarIntCoder.of(), JavaSerializedCoder.of(SampleScores.class));
    return samples
        .apply(
            "Detect",
            ParDo.of(
                new ScoreSamplesFn(
                    detector(), device(), maxBatch(), num(), repeats(), kidImages())))
        .setCoder(coder)
        .apply("GatherRepeats", ParDo.of(new GatherRepeatFn(num())))
        .setCoder(coder)
        .apply("Score", ParDo.of(new ScoreRepeatFn(ref(), device())))
        .setCoder(JavaSerializedCoder.of(RepeatScores.class));
  }
}
