package dev.cdm.model.sampling;

import static dev.cdm.model.nn.HostScalars.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.precond.Denoiser;

/**
 * The update equations of the samplers and of the CDM loss's chains, each written once (the EDM
 * time steps are {@link TimeSteps#edm}). The state is float64; the network sees float32 (cast by
 * the precond). Operation order is the reference's, so that results stay bit-identical:
 *
 * <pre>
 * x̂  = x + sqrt(t̂² − t²) S_noise z                       EDM's churn: noise raised from t to t̂        churn, churnStd
 * d  = (x − D(x; t)) / t                                 slope of the probability-flow ODE, σ(t) = t   slope
 * x' = x̂ + (t_next − t̂) d                               Euler step                                   euler
 * d̄  = (1 − 1/(2α)) d + 1/(2α) d′                        Heun's average slope (EDM: α = 1)            heunSlope
 * x' = x + 2 (t_next − t) d + sqrt(2 |t − t_next| t) z   Euler–Maruyama step of the reverse SDE      backwardSde
 * </pre>
 *
 * <p>{@link #churn} adds noise of the standard deviation {@link #churnStd} for the churn, EDM and
 * inpainting samplers; the ablation sampler adds it with its own, scaled standard deviation. {@link
 * #heun} is the step of {@code edm_sampler} after the churn (Euler, then Heun's correction at
 * t_next), shared by the EDM, inpainting, churn and deterministic samplers; the ablation sampler
 * uses {@link #heunSlope} with its own slope and α; the backward-SDE sampler and the CDM loss use
 * {@link #backwardSde}, the sampler with Heun's slope when second order (the reference then draws
 * fresh noise for the corrected step, a quirk kept).
 */
public final class StepEquations {
  private StepEquations() {}

  /** sqrt(t̂² − t²) S_noise: the standard deviation of the noise that raises the level t to t̂. */
  static double churnStd(double tHat, double t, double sNoise) {
    return Math.sqrt(tHat * tHat - t * t) * sNoise;
  }

  /** x̂ = x + std z, {@code std} from {@link #churnStd} (precomputed by the samplers' plans). */
  static NDArray churn(NDArray x, NDArray z, double std) {
    return x.add(mul(z, std));
  }

  /** d = (x − D) / t with a scalar t; {@code denoised} is float64. */
  static NDArray slope(NDArray x, NDArray denoised, double t) {
    return div(x.sub(denoised), t);
  }

  /** d = (x − D) / t with t an array broadcast against x (float64; x is cast to float64). */
  public static NDArray slope(NDArray x, NDArray denoised, NDArray t) {
    return x.toType(DataType.FLOAT64, false).sub(denoised).div(t);
  }

  /** x' = x̂ + h d. */
  static NDArray euler(NDArray xHat, NDArray d, double h) {
    return xHat.add(mul(d, h));
  }

  /** Heun's average slope (1 − 1/(2α)) d + 1/(2α) d′; α = 1 gives ½ d + ½ d′. */
  static NDArray heunSlope(NDArray dCur, NDArray dPrime, double alpha) {
    return mul(dCur, 1 - 1 / (2 * alpha)).add(mul(dPrime, 1 / (2 * alpha)));
  }

  /**
   * x' = x + 2 (t_next − t) d + sqrt(2 |t − t_next| t) z: the step of the reference's {@code
   * backward_sde_sampler}, with t and t_next float64 arrays broadcast against x: per-sample
   * [N,1,1,1] on x's device (the CDM loss), or 0-d on the host, which libtorch passes to the
   * kernels as plain scalars (the sampler, as {@link dev.cdm.model.nn.HostScalars} does).
   */
  public static NDArray backwardSde(NDArray x, NDArray d, NDArray tCur, NDArray tNext, NDArray z) {
    NDArray diffusion = mul(tCur.sub(tNext).abs().mul(tCur), 2).sqrt();
    return x.add(d.mul(mul(tNext.sub(tCur), 2))).add(z.mul(diffusion));
  }

  /**
   * What {@link #heun} computed: x_next, the last denoiser output, and d′ (null when uncorrected).
   */
  static final class Heun {
    final NDArray xNext;
    final NDArray denoised;
    final NDArray dPrime;

    Heun(NDArray xNext, NDArray denoised, NDArray dPrime) {
      this.xNext = xNext;
      this.denoised = denoised;
      this.dPrime = dPrime;
    }
  }

  /**
   * An Euler step of the probability-flow ODE from (x̂, t̂) to t_next and, when {@code correct},
   * Heun's correction with the slope at t_next. Intermediates are attached to {@code step}.
   */
  static Heun heun(
      Denoiser net,
      NDArray xHat,
      double tHat,
      double tNext,
      NDArray classLabels,
      boolean correct,
      NDManager step) {
    NDArray denoised = Steps.denoise(net, xHat, tHat, classLabels, step);
    NDArray dCur = slope(xHat, denoised, tHat);
    NDArray xNext = euler(xHat, dCur, tNext - tHat);
    if (!correct) {
      return new Heun(xNext, denoised, null);
    }
    denoised = Steps.denoise(net, xNext, tNext, classLabels, step);
    NDArray dPrime = slope(xNext, denoised, tNext);
    return new Heun(euler(xHat, heunSlope(dCur, dPrime, 1), tNext - tHat), denoised, dPrime);
  }
}
