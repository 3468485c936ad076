package dev.cdm.pipelines.evaluate;

import com.google.auto.value.AutoValue;
import dev.cdm.fid.Detector;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.transforms.generate.GeneratedImage;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Everything {@code cdm evaluate} needs, independent of how it was given. Serializable: the
 * pipeline's steps that record results carry it.
 */
@AutoValue
public abstract class EvaluateJob implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * An extra per-snapshot metric from the same samples (e.g. a classifier's accuracy on them):
   * named values, one output each, recorded under {@code metrics} in {@code results.jsonl}. The
   * transform sees the samples of one snapshot per window ({@code SnapshotWindow}), so a global
   * combine in it needs {@code .withoutDefaults()} (e.g. {@code Mean.<Double>globally()
   * .withoutDefaults()}) and its values are per snapshot; several snapshots may be in one pipeline.
   *
   * <p>A snapshot's row is written once every metric has given a value. So that this does not wait
   * for the end of the snapshot's window (in a streaming {@code --watch} on Flink it never comes
   * while the watch runs), the samples come with a trigger that fires a grouping as soon as it
   * holds as many elements as the snapshot has samples, and again (accumulating) at every further
   * multiple and at the window's end; the row keeps each name's latest value. Hence: give at least
   * one value per snapshot, and let the first grouping see one element per sample (map each sample
   * to its value, then combine), as {@code ClassAccuracy} and a mean per image do.
   */
  public interface ExtraMetric extends java.io.Serializable {
    PTransform<PCollection<GeneratedImage>, PCollection<KV<String, Double>>> transform();
  }

  /**
   * The run directory (local or any Beam file system, e.g. gs://) with network-snapshot-* files.
   */
  public abstract String snapshots();

  /** Reference statistics (.npz: mu, sigma, optionally features for KID). */
  public abstract String ref();

  /** Where results.jsonl, grids/ and report.html go. */
  public abstract String outdir();

  /** Images per repeat. */
  public abstract int num();

  public abstract int repeats();

  /** Maximum batch size (generation and detector). */
  public abstract int batch();

  public abstract SamplerSpec sampler();

  /** fp32 or fp16. */
  public abstract String precision();

  /** Forced class or -1. */
  public abstract int classIdx();

  /** Where the generator runs: "cpu", "gpu" (one GPU per worker slot) or "gpu:i,j" (those GPUs). */
  public abstract String device();

  /** Where the detector runs ("auto": beside the generator's device kind). */
  public abstract String detectorDevice();

  public abstract String detector();

  /** Images per repeat whose features go into KID. */
  public abstract int kidImages();

  /** Also write every sample as a PNG under images/<snapshot>/. */
  public abstract boolean saveImages();

  /** Beam pipeline arguments (--runner=..., --targetParallelism=...). */
  public abstract List<String> pipelineArgs();

  public abstract List<ExtraMetric> extraMetrics();

  public static Builder builder() {
    return new AutoValue_EvaluateJob.Builder()
        .num(50000)
        .repeats(3)
        .batch(64)
        .sampler(SamplerSpec.builder().build())
        .precision("fp32")
        .classIdx(-1)
        .device("cpu")
        .detectorDevice("auto")
        .detector(Detector.INCEPTION_URL)
        .kidImages(1000)
        .saveImages(false)
        .pipelineArgs(List.of())
        .extraMetrics(List.of());
  }

  public abstract Builder toBuilder();

  /** Builder of an evaluation job. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder snapshots(String v);

    public abstract Builder ref(String v);

    public abstract Builder outdir(String v);

    public abstract Builder num(int v);

    public abstract Builder repeats(int v);

    public abstract Builder batch(int v);

    public abstract Builder sampler(SamplerSpec v);

    public abstract Builder precision(String v);

    public abstract Builder classIdx(int v);

    public abstract Builder device(String v);

    public abstract Builder detectorDevice(String v);

    public abstract Builder detector(String v);

    public abstract Builder kidImages(int v);

    public abstract Builder saveImages(boolean v);

    public abstract Builder pipelineArgs(List<String> v);

    public abstract Builder extraMetrics(List<ExtraMetric> v);

    public abstract EvaluateJob build();
  }
}
