package dev.cdm.model.sampling;

import com.google.auto.value.AutoValue;
import dev.cdm.model.sampling.AblationSampler.Discretization;
import dev.cdm.model.sampling.AblationSampler.Scaling;
import dev.cdm.model.sampling.AblationSampler.Schedule;
import dev.cdm.model.sampling.AblationSampler.Solver;
import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * The sampler flags of {@code generate.py} as one serializable value (it travels to pipeline
 * workers). As in the reference, giving any of {@code solver}, {@code discretization},
 * {@code schedule} or {@code scaling} selects the ablation sampler, otherwise the EDM sampler;
 * unset {@code sigmaMin}/{@code sigmaMax} take the chosen sampler's defaults.
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
    return new AutoValue_SamplerSpec.Builder()
        .numSteps(18)
        .rho(7)
        .sChurn(0)
        .sMin(0)
        .sMax(Double.POSITIVE_INFINITY)
        .sNoise(1);
  }

  public abstract Builder toBuilder();

  /** Builder; setters are named as the reference's flags. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder numSteps(int v);

    public abstract Builder sigmaMin(@Nullable Double v);

    public abstract Builder sigmaMax(@Nullable Double v);

    public abstract Builder rho(double v);

    public abstract Builder sChurn(double v);

    public abstract Builder sMin(double v);

    public abstract Builder sMax(double v);

    public abstract Builder sNoise(double v);

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
          AblationSampler.builder()
              .numSteps(numSteps())
              .rho(rho())
              .sChurn(sChurn())
              .sMin(sMin())
              .sMax(sMax())
              .sNoise(sNoise());
      if (sigmaMin() != null) {
        b.sigmaMin(sigmaMin());
      }
      if (sigmaMax() != null) {
        b.sigmaMax(sigmaMax());
      }
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
    EdmSampler.Builder b =
        EdmSampler.builder()
            .numSteps(numSteps())
            .rho(rho())
            .sChurn(sChurn())
            .sMin(sMin())
            .sMax(sMax())
            .sNoise(sNoise());
    if (sigmaMin() != null) {
      b.sigmaMin(sigmaMin());
    }
    if (sigmaMax() != null) {
      b.sigmaMax(sigmaMax());
    }
    return b.build();
  }
}
