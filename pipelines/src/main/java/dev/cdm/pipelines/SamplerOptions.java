package dev.cdm.pipelines;

import dev.cdm.model.sampling.AblationSampler.Discretization;
import dev.cdm.model.sampling.AblationSampler.Scaling;
import dev.cdm.model.sampling.AblationSampler.Schedule;
import dev.cdm.model.sampling.AblationSampler.Solver;
import dev.cdm.model.sampling.SamplerSpec;
import picocli.CommandLine.Option;

/**
 * The sampler flags of {@code generate.py} (same names and defaults), a picocli mixin shared by
 * {@code cdm generate} and streaming FID ({@code cdm fid --network ... --seeds ...}).
 */
public final class SamplerOptions {
  @Option(names = "--class", paramLabel = "INT", description = "Class label (default: random)")
  Integer classIdx;

  @Option(
      names = "--steps",
      defaultValue = "18",
      paramLabel = "INT",
      description = "Number of sampling steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = {"--sigma_min", "--sigma-min"},
      paramLabel = "FLOAT",
      description = "Lowest noise level (default: varies)")
  Double sigmaMin;

  @Option(
      names = {"--sigma_max", "--sigma-max"},
      paramLabel = "FLOAT",
      description = "Highest noise level (default: varies)")
  Double sigmaMax;

  @Option(
      names = "--rho",
      defaultValue = "7",
      paramLabel = "FLOAT",
      description = "Time step exponent (default: ${DEFAULT-VALUE})")
  double rho;

  @Option(
      names = {"--S_churn", "--s-churn"},
      defaultValue = "0",
      paramLabel = "FLOAT",
      description = "Stochasticity strength (default: ${DEFAULT-VALUE})")
  double sChurn;

  @Option(
      names = {"--S_min", "--s-min"},
      defaultValue = "0",
      paramLabel = "FLOAT",
      description = "Stoch. min noise level (default: ${DEFAULT-VALUE})")
  double sMin;

  @Option(
      names = {"--S_max", "--s-max"},
      defaultValue = "inf",
      paramLabel = "FLOAT",
      description = "Stoch. max noise level (default: ${DEFAULT-VALUE})")
  String sMax;

  @Option(
      names = {"--S_noise", "--s-noise"},
      defaultValue = "1",
      paramLabel = "FLOAT",
      description = "Stoch. noise inflation (default: ${DEFAULT-VALUE})")
  double sNoise;

  @Option(names = "--solver", paramLabel = "euler|heun", description = "Ablate ODE solver")
  Solver solver;

  @Option(
      names = "--disc",
      paramLabel = "vp|ve|iddpm|edm",
      description = "Ablate time step discretization {t_i}")
  Discretization disc;

  @Option(
      names = "--schedule",
      paramLabel = "vp|ve|linear",
      description = "Ablate noise schedule sigma(t)")
  Schedule schedule;

  @Option(names = "--scaling", paramLabel = "vp|none", description = "Ablate signal scaling s(t)")
  Scaling scaling;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      paramLabel = "fp32|fp16",
      description =
          "Network execution precision on the GPU (the sampler stays float64; bf16 is refused:"
              + " DJL 0.36 has no bfloat16 tensors) (default: ${DEFAULT-VALUE})")
  public String precision;

  /** The sampler these flags describe; errors name the flag. */
  public SamplerSpec spec() {
    if (steps < 1) {
      throw CommandErrors.usage("--steps must be at least 1, got " + steps);
    }
    if (classIdx != null && classIdx < 0) {
      throw CommandErrors.usage("--class must be at least 0, got " + classIdx);
    }
    double sMaxValue;
    try {
      sMaxValue = Double.parseDouble(sMax.equalsIgnoreCase("inf") ? "Infinity" : sMax);
    } catch (NumberFormatException e) {
      throw CommandErrors.usage("--S_max: '" + sMax + "' is not a number");
    }
    return SamplerSpec.builder()
        .numSteps(steps)
        .sigmaMin(sigmaMin)
        .sigmaMax(sigmaMax)
        .rho(rho)
        .sChurn(sChurn)
        .sMin(sMin)
        .sMax(sMaxValue)
        .sNoise(sNoise)
        .solver(solver)
        .discretization(disc)
        .schedule(schedule)
        .scaling(scaling)
        .build();
  }

  /** The --class value, or -1 for a random class per seed. */
  public int classIdx() {
    return classIdx == null ? -1 : classIdx;
  }
}
