package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.auto.value.AutoValue;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.precond.Denoiser;
import java.util.OptionalDouble;

/**
 * The generalised sampler of the EDM paper's ablations ({@code ablation_sampler} of the CDM fork's
 * {@code generate.py}): any ODE {@code solver} (Euler, Heun with {@code alpha}) over any time-step
 * {@code discretization} (VP, VE, iDDPM, EDM), noise {@code schedule} sigma(t) (VP, VE, linear) and
 * signal {@code scaling} s(t) (VP, none), plus EDM's churn. float64 throughout.
 */
@AutoValue
public abstract class AblationSampler implements Sampler {

  /** ODE solver. */
  public enum Solver {
    EULER,
    HEUN
  }

  /** Time-step discretisation {t_i}. */
  public enum Discretization {
    VP,
    VE,
    IDDPM,
    EDM
  }

  /** Noise schedule sigma(t). */
  public enum Schedule {
    VP,
    VE,
    LINEAR
  }

  /** Signal scaling s(t). */
  public enum Scaling {
    VP,
    NONE
  }

  public abstract int numSteps();

  /** Empty = the discretisation's default (the reference's {@code None}). */
  public abstract OptionalDouble sigmaMin();

  public abstract OptionalDouble sigmaMax();

  public abstract double rho();

  public abstract Solver solver();

  public abstract Discretization discretization();

  public abstract Schedule schedule();

  public abstract Scaling scaling();

  public abstract double epsilonS();

  public abstract double c1();

  public abstract double c2();

  public abstract int m();

  public abstract double alpha();

  public abstract double sChurn();

  public abstract double sMin();

  public abstract double sMax();

  public abstract double sNoise();

  /** Defaults of the reference: Heun, EDM steps, linear schedule, no scaling, 18 steps. */
  public static Builder builder() {
    return SamplerSettings.defaults(new AutoValue_AblationSampler.Builder())
        .solver(Solver.HEUN)
        .discretization(Discretization.EDM)
        .schedule(Schedule.LINEAR)
        .scaling(Scaling.NONE)
        .epsilonS(1e-3)
        .c1(0.001)
        .c2(0.008)
        .m(1000)
        .alpha(1);
  }

  public abstract Builder toBuilder();

  /**
   * Configuration of the ablation sampler (steps, rho and churn: {@link SamplerSettings}); names
   * follow the reference's arguments.
   */
  @AutoValue.Builder
  public abstract static class Builder implements SamplerSettings<Builder> {
    public abstract Builder sigmaMin(double v);

    public abstract Builder sigmaMax(double v);

    public abstract Builder sigmaMin(OptionalDouble v);

    public abstract Builder sigmaMax(OptionalDouble v);

    public abstract Builder solver(Solver v);

    public abstract Builder discretization(Discretization v);

    public abstract Builder schedule(Schedule v);

    public abstract Builder scaling(Scaling v);

    public abstract Builder epsilonS(double v);

    public abstract Builder c1(double v);

    public abstract Builder c2(double v);

    public abstract Builder m(int v);

    public abstract Builder alpha(double v);

    abstract AblationSampler autoBuild();

    public AblationSampler build() {
      AblationSampler s = autoBuild();
      SamplerSettings.checkSteps(s.numSteps());
      return s;
    }
  }

  // ---- sigma(t), sigma'(t), sigma^-1 and s(t), s'(t) of the reference's helper lambdas.

  /** The VP schedule sigma(t) = sqrt(e^(beta_d t^2/2 + beta_min t) - 1). */
  static double vpSigma(double betaD, double betaMin, double t) {
    return Math.sqrt(Math.pow(Math.E, 0.5 * betaD * (t * t) + betaMin * t) - 1);
  }

  private static final class Functions {
    final Schedule schedule;
    final Scaling scaling;
    final double betaD;
    final double betaMin;

    Functions(Schedule schedule, Scaling scaling, double betaD, double betaMin) {
      this.schedule = schedule;
      this.scaling = scaling;
      this.betaD = betaD;
      this.betaMin = betaMin;
    }

    double sigma(double t) {
      switch (schedule) {
        case VP:
          return vpSigma(betaD, betaMin, t);
        case VE:
          return Math.sqrt(t);
        default:
          return t;
      }
    }

    double sigmaDeriv(double t) {
      switch (schedule) {
        case VP:
          return 0.5 * (betaMin + betaD * t) * (sigma(t) + 1 / sigma(t));
        case VE:
          return 0.5 / Math.sqrt(t);
        default:
          return 1;
      }
    }

    double sigmaInv(double sigma) {
      switch (schedule) {
        case VP:
          return (Math.sqrt(betaMin * betaMin + 2 * betaD * Math.log(sigma * sigma + 1)) - betaMin)
              / betaD;
        case VE:
          return sigma * sigma;
        default:
          return sigma;
      }
    }

    double s(double t) {
      if (scaling == Scaling.VP) {
        double sg = sigma(t);
        return 1 / Math.sqrt(1 + sg * sg);
      }
      return 1;
    }

    double sDeriv(double t) {
      if (scaling == Scaling.VP) {
        double st = s(t);
        return -sigma(t) * sigmaDeriv(t) * (st * st * st);
      }
      return 0;
    }
  }

  /** The noise levels sigma_i of the chosen discretisation, before {@code round_sigma}. */
  double[] sigmaSteps(double lo, double hi, double vpBetaD, double vpBetaMin) {
    int n = numSteps();
    double[] out = new double[n];
    switch (discretization()) {
      case VP:
        for (int i = 0; i < n; i++) {
          double orig = 1 + i / (double) (n - 1) * (epsilonS() - 1);
          out[i] = vpSigma(vpBetaD, vpBetaMin, orig);
        }
        return out;
      case VE:
        for (int i = 0; i < n; i++) {
          double orig = (hi * hi) * Math.pow((lo * lo) / (hi * hi), i / (double) (n - 1));
          out[i] = Math.sqrt(orig);
        }
        return out;
      case IDDPM:
        {
          double[] u = iddpmLevels(m(), c1(), c2());
          int count = 0;
          for (double v : u) {
            if (v >= lo && v <= hi) {
              count++;
            }
          }
          double[] filtered = new double[count];
          int k = 0;
          for (double v : u) {
            if (v >= lo && v <= hi) {
              filtered[k++] = v;
            }
          }
          for (int i = 0; i < n; i++) {
            // torch.round rounds half to even, as Math.rint does.
            out[i] = filtered[(int) Math.rint((count - 1) / (double) (n - 1) * i)];
          }
          return out;
        }
      default:
        return TimeSteps.edm(lo, hi, rho(), n);
    }
  }

  /**
   * The iDDPM noise levels u_0..u_M of the ablation sampler: float64 {@code u}, but {@code
   * alpha_bar(j)} evaluated in float32 (the reference builds it from an int64 index tensor, which
   * promotes to the default float32).
   */
  static double[] iddpmLevels(int m, double c1, double c2) {
    double[] u = new double[m + 1];
    for (int j = m; j > 0; j--) {
      float ratio = alphaBar32(j - 1, m, c2) / alphaBar32(j, m, c2);
      float clipped = Math.max(ratio, (float) c1);
      u[j - 1] = Math.sqrt((u[j] * u[j] + 1) / clipped - 1);
    }
    return u;
  }

  private static float alphaBar32(int j, int m, double c2) {
    float a = (float) (0.5 * Math.PI) * (float) j;
    a = a / (float) m;
    a = a / (float) (c2 + 1);
    float sin = (float) Math.sin(a);
    return sin * sin;
  }

  /** All scalars of one run. */
  private final class Plan {
    final Functions f;
    final double[] t;
    final double[] tHat;
    final double[] noiseCoef;

    Plan(Denoiser net, NDManager manager) {
      double lo;
      double hi;
      if (sigmaMin().isPresent()) {
        lo = sigmaMin().getAsDouble();
      } else {
        switch (discretization()) {
          case VP:
            lo = vpSigma(19.1, 0.1, epsilonS());
            break;
          case VE:
            lo = 0.02;
            break;
          default:
            lo = 0.002;
        }
      }
      if (sigmaMax().isPresent()) {
        hi = sigmaMax().getAsDouble();
      } else {
        switch (discretization()) {
          case VP:
            hi = vpSigma(19.1, 0.1, 1);
            break;
          case VE:
            hi = 100;
            break;
          case IDDPM:
            hi = 81;
            break;
          default:
            hi = 80;
        }
      }
      lo = Math.max(lo, net.sigmaMin());
      hi = Math.min(hi, net.sigmaMax());
      // Betas of the VP schedule that hit [lo, hi] at t in [epsilon_s, 1].
      double vpBetaD =
          2 * (Math.log(lo * lo + 1) / epsilonS() - Math.log(hi * hi + 1)) / (epsilonS() - 1);
      double vpBetaMin = Math.log(hi * hi + 1) - 0.5 * vpBetaD;
      f = new Functions(schedule(), scaling(), vpBetaD, vpBetaMin);

      double[] rounded = TimeSteps.roundSigma(net, manager, sigmaSteps(lo, hi, vpBetaD, vpBetaMin));
      double[] ts = new double[rounded.length];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = f.sigmaInv(rounded[i]);
      }
      t = TimeSteps.appendZero(ts);
      int n = numSteps();
      tHat = new double[n];
      noiseCoef = new double[n];
      for (int i = 0; i < n; i++) {
        double sCur = f.sigma(t[i]);
        double gamma = TimeSteps.gamma(sCur, sChurn(), sMin(), sMax(), n);
        tHat[i] = f.sigmaInv(TimeSteps.roundSigma(net, manager, sCur + gamma * sCur));
        double sHat = f.sigma(tHat[i]);
        noiseCoef[i] = Math.sqrt(Math.max(sHat * sHat - sCur * sCur, 0)) * f.s(tHat[i]) * sNoise();
      }
    }

    int noiseDraws() {
      for (int i = noiseCoef.length - 1; i >= 0; i--) {
        if (noiseCoef[i] != 0) {
          return i + 1;
        }
      }
      return 0;
    }
  }

  @Override
  public int noiseDraws(Denoiser net, NDManager manager) {
    return new Plan(net, manager).noiseDraws();
  }

  /** The time steps t_0..t_N (t_N = 0) this sampler uses with {@code net}. */
  public double[] timeSteps(Denoiser net, NDManager manager) {
    return new Plan(net, manager).t.clone();
  }

  @Override
  public NDArray sample(Denoiser net, NDArray latents, NDArray classLabels, NoiseSource noise) {
    NDManager parent = latents.getManager();
    Plan p = new Plan(net, parent);
    Functions f = p.f;
    double[] t = p.t;
    int n = numSteps();
    NDArray latents64 = latents.toType(DataType.FLOAT64, true);
    NDArray x = HostScalars.mul(latents64, f.sigma(t[0]) * f.s(t[0]));
    latents64.close();
    int draws = p.noiseDraws();
    for (int i = 0; i < n; i++) {
      try (NDManager step = parent.newSubManager()) {
        x.attach(step);
        double tCur = t[i];
        double tNext = t[i + 1];
        double tHat = p.tHat[i];
        // Increase noise temporarily.
        double scale = f.s(tHat) / f.s(tCur);
        NDArray xHat = scale == 1 ? x : HostScalars.mul(x, scale);
        if (i < draws) {
          NDArray z = noise.randnLike(x);
          z.attach(step);
          if (p.noiseCoef[i] != 0) {
            xHat = StepEquations.churn(xHat, z, p.noiseCoef[i]);
          }
        }
        // Euler step.
        double h = tNext - tHat;
        NDArray dCur = derivative(net, f, xHat, tHat, classLabels, step);
        NDArray xNext;
        if (solver() == Solver.EULER || i == n - 1) {
          xNext = StepEquations.euler(xHat, dCur, h);
        } else {
          // Heun with the paper's alpha: evaluate at t' = t_hat + alpha h, then combine.
          NDArray xPrime = StepEquations.euler(xHat, dCur, alpha() * h);
          double tPrime = tHat + alpha() * h;
          NDArray dPrime = derivative(net, f, xPrime, tPrime, classLabels, step);
          xNext = StepEquations.euler(xHat, StepEquations.heunSlope(dCur, dPrime, alpha()), h);
        }
        xNext.attach(parent);
        x = xNext;
      }
    }
    return x;
  }

  /** dx/dt = (sigma'/sigma + s'/s) x - sigma' s / sigma * D(x/s; sigma) at time {@code t}. */
  private static NDArray derivative(
      Denoiser net, Functions f, NDArray x, double t, NDArray classLabels, NDManager step) {
    double st = f.s(t);
    NDArray xIn = st == 1 ? x : HostScalars.div(x, st);
    NDArray denoised = Steps.denoise(net, xIn, f.sigma(t), classLabels, step);
    double a = f.sigmaDeriv(t) / f.sigma(t) + f.sDeriv(t) / st;
    double b = f.sigmaDeriv(t) * st / f.sigma(t);
    return HostScalars.mul(x, a).sub(HostScalars.mul(denoised, b));
  }
}
