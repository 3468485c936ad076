package dev.cdm.model.training;

import com.google.auto.value.AutoValue;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** The numbers of the reference's {@code training_loop(...)} arguments, named alike. */
@AutoValue
public abstract class TrainingOptions {
  public abstract Path runDir();

  public abstract long seed();

  /** Total batch size for one training iteration (all replicas, all accumulation rounds). */
  public abstract int batchSize();

  /** Per-replica batch limit; null = batch / replicas (no accumulation). */
  @Nullable
  public abstract Integer batchGpu();

  /** Training duration in thousands of images (the CLI passes whole kimg like the reference). */
  public abstract double totalKimg();

  public abstract double emaHalflifeKimg();

  /** EMA ramp-up ratio; null = none (transfer learning). */
  @Nullable
  public abstract Double emaRampupRatio();

  public abstract double lr();

  public abstract double lrRampupKimg();

  public abstract double lossScaling();

  /** Tick length in kimg (the CLI passes whole kimg; fractions serve tests and benchmarks). */
  public abstract double kimgPerTick();

  /** Snapshot every N ticks; null = never (except none at the end either, like the reference). */
  @Nullable
  public abstract Integer snapshotTicks();

  @Nullable
  public abstract Integer stateDumpTicks();

  /**
   * Stop after this many optimizer steps in this process (tests, benchmarks); null = run to
   * total_kimg.
   */
  @Nullable
  public abstract Long maxSteps();

  /**
   * Stop at the first step that ends after this many seconds of training in this process (the step
   * finishes, then the last tick writes its snapshot and state); null = no time limit.
   */
  @Nullable
  public abstract Double maxSeconds();

  /**
   * Name snapshots and states with the kimg to three decimals ({@code network-snapshot-000000.250})
   * instead of the reference's whole kimg, so that ticks of a fraction of a kimg keep distinct
   * files.
   */
  public abstract boolean decimalKimgNames();

  public static Builder builder() {
    return new AutoValue_TrainingOptions.Builder()
        .seed(0)
        .batchSize(512)
        .totalKimg(200000)
        .emaHalflifeKimg(500)
        .emaRampupRatio(0.05)
        .lr(10e-4)
        .lrRampupKimg(10000)
        .lossScaling(1)
        .kimgPerTick(50)
        .snapshotTicks(50)
        .stateDumpTicks(500)
        .decimalKimgNames(false);
  }

  public abstract Builder toBuilder();

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder runDir(Path v);

    public abstract Builder seed(long v);

    public abstract Builder batchSize(int v);

    public abstract Builder batchGpu(@Nullable Integer v);

    public abstract Builder totalKimg(double v);

    public abstract Builder emaHalflifeKimg(double v);

    public abstract Builder emaRampupRatio(@Nullable Double v);

    public abstract Builder lr(double v);

    public abstract Builder lrRampupKimg(double v);

    public abstract Builder lossScaling(double v);

    public abstract Builder kimgPerTick(double v);

    public abstract Builder snapshotTicks(@Nullable Integer v);

    public abstract Builder stateDumpTicks(@Nullable Integer v);

    public abstract Builder maxSteps(@Nullable Long v);

    public abstract Builder maxSeconds(@Nullable Double v);

    public abstract Builder decimalKimgNames(boolean v);

    public abstract TrainingOptions build();
  }
}
