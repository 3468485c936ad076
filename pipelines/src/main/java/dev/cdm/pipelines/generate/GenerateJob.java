package dev.cdm.pipelines.generate;

import com.google.auto.value.AutoValue;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.transforms.generate.DenoiserFactory;
import java.util.List;

/** Everything {@code cdm generate} needs, independent of how it was given. */
@AutoValue
public abstract class GenerateJob {
  public abstract DenoiserFactory network();

  /** Output directory (local path or Beam file system location). */
  public abstract String outdir();

  public abstract List<Long> seeds();

  public abstract boolean subdirs();

  /** Forced class, or -1 for random per-seed labels. */
  public abstract int classIdx();

  /** Maximum batch size. */
  public abstract int batch();

  public abstract SamplerSpec sampler();

  /** A {@code --device} value (auto, cpu, gpu, gpu:N,...). */
  public abstract String device();

  /** Skip seeds whose image already exists. */
  public abstract boolean resume();

  public static Builder builder() {
    return new AutoValue_GenerateJob.Builder()
        .subdirs(false)
        .classIdx(-1)
        .batch(64)
        .sampler(SamplerSpec.builder().build())
        .device(dev.cdm.fid.Devices.DEFAULT)
        .resume(false);
  }

  public abstract Builder toBuilder();

  /** Builder of a generation job. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder network(DenoiserFactory v);

    public abstract Builder outdir(String v);

    public abstract Builder seeds(List<Long> v);

    public abstract Builder subdirs(boolean v);

    public abstract Builder classIdx(int v);

    public abstract Builder batch(int v);

    public abstract Builder sampler(SamplerSpec v);

    public abstract Builder device(String v);

    public abstract Builder resume(boolean v);

    public abstract GenerateJob build();
  }
}
