package dev.cdm.model.sampling;

import com.google.auto.value.AutoValue;
import dev.cdm.model.sampling.AblationSampler.Discretization;
import dev.cdm.model.sampling.AblationSampler.Scaling;
import dev.cdm.model.sampling.AblationSampler.Schedule;
import dev.cdm.model.sampling.AblationSampler.Solver;
import java.io.Serializable;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * The sampler flags of {@code generate.py} as one serializable value (it travels to pipeline
 * workers). As in the reference, giving any of {@code solver}, {@code discretization}, {@code
 * schedule} or {@code scaling} selects the ablation sampler, otherwise the EDM sampler; unset
 * {@code sigmaMin}/{@code sigmaMax} take the chosen sampler's defaults.
 */
@AutoValue
public abstract class SamplerSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  public abstract int numSteps();

  public abstract @Nullable Double sigmaMin();

  public abstract @Nullable Double sigmaMax();

  public abstract double rho();

  public abstract double sChurn();

  public abstract double sMin();

  public abstract double sMax();

  public abstract double sNoise();

  public abstract @Nullable Solver solver();

  public abstract @Nullable Discretization discretization();

  public abstract @Nullable Schedule schedule();

  public abstract @Nullable Scaling scaling();

  /** {@code generate.py}'s defaults: 18 steps, rho 7, no churn, EDM sampler. */
  public static Builder builder() {
    return SamplerSettings.defaults(new AutoValue_SamplerSpec.Builder());
  }

  public abstract Builder toBuilder();

  /**
   * Builder (steps, rho and churn: {@link SamplerSettings}); setters are named as the reference's
   * flags.
   */
  @AutoValue.Builder
  public abstract static class Builder implements SamplerSettings<Builder> {
    public abstract Builder sigmaMin(@Nullable Double v);

    public abstract Builder sigmaMax(@Nullable Double v);

    public abstract Builder solver(@Nullable Solver v);

    public abstract Builder discretization(@Nullable Discretization v);

    public abstract Builder schedule(@Nullable Schedule v);

    public abstract Builder scaling(@Nullable Scaling v);

    public abstract SamplerSpec build();
  }

  /** True when an ablation flag is given (the reference's {@code have_ablation_kwargs}). */
  public boolean isAblation() {
    return solver() != null || discretization() != null || schedule() != null || scaling() != null;
  }

  /** The sampler these flags select. */
  public Sampler toSampler() {
    if (isAblation()) {
      AblationSampler.Builder b =
          copySettings(AblationSampler.builder())
              .sigmaMin(optional(sigmaMin()))
              .sigmaMax(optional(sigmaMax()));
      if (solver() != null) {
        b.solver(solver());
      }
      if (discretization() != null) {
        b.discretization(discretization());
      }
      if (schedule() != null) {
        b.schedule(schedule());
      }
      if (scaling() != null) {
        b.scaling(scaling());
      }
      return b.build();
    }
    EdmSampler.Builder b = copySettings(EdmSampler.builder());
    if (sigmaMin() != null) {
      b.sigmaMin(sigmaMin());
    }
    if (sigmaMax() != null) {
      b.sigmaMax(sigmaMax());
    }
    return b.build();
  }

  /** Sets this spec's steps, rho and churn on a sampler's builder. */
  private <B extends SamplerSettings<B>> B copySettings(B b) {
    return b.numSteps(numSteps())
        .rho(rho())
        .sChurn(sChurn())
        .sMin(sMin())
        .sMax(sMax())
        .sNoise(sNoise());
  }

  /** Unset (null) is the ablation sampler's "the discretisation's default". */
  private static OptionalDouble optional(@Nullable Double v) {
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }
}
