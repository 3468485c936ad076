package dev.cdm.transforms.fid;

import com.google.auto.value.AutoValue;
import dev.cdm.fid.Detector;
import dev.cdm.fid.FeatureMoments;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Image batches to per-group feature moments: detector features on the workers (float64 sums per
 * bundle), then a combine over all workers. {@code toStatistics()} on the result gives the
 * reference's {@code mu}, {@code sigma}.
 */
@AutoValue
public abstract class ExtractStatistics
    extends PTransform<PCollection<ImageBatch>, PCollection<KV<Integer, FeatureMoments>>> {
  /** Path, http(s) URL or gs:// URI of a TorchScript detector. */
  public abstract String detector();

  /** "auto", "cpu", "gpu" or "gpu:N". */
  public abstract String device();

  /** The largest batch sent through the detector at once (the reference's {@code --batch}). */
  public abstract int maxBatch();

  /** Images expected in total (for progress and ETA); 0 when unknown. */
  public abstract long expectedImages();

  public static Builder builder() {
    return new AutoValue_ExtractStatistics.Builder()
        .setDetector(Detector.INCEPTION_URL)
        .setDevice("auto")
        .setMaxBatch(64)
        .setExpectedImages(0);
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setDetector(String detector);

    public abstract Builder setDevice(String device);

    public abstract Builder setMaxBatch(int maxBatch);

    public abstract Builder setExpectedImages(long expectedImages);

    public abstract ExtractStatistics build();
  }

  @Override
  public PCollection<KV<Integer, FeatureMoments>> expand(PCollection<ImageBatch> images) {
    KvCoder<Integer, FeatureMoments> coder = KvCoder.of(VarIntCoder.of(), FeatureMomentsCoder.of());
    return images
        .apply(
            "Features",
            ParDo.of(
                new ExtractFeatureMomentsFn(
                    detector(),
                    device(),
                    maxBatch(),
                    expectedImages(),
                    java.util.UUID.randomUUID().toString())))
        .setCoder(coder)
        .apply("Combine", Combine.perKey(new FeatureMomentsCombineFn()))
        .setCoder(coder);
  }
}
