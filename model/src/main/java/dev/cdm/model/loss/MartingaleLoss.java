package dev.cdm.model.loss;

import static dev.cdm.model.nn.HostScalars.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.model.sampling.StepEquations;
import dev.cdm.model.sampling.TimeSteps;
import dev.cdm.model.torch.Autograd;
import java.util.function.UnaryOperator;

/**
 * The CDM consistency ("martingale") loss of Daras et al. 2023: the EDM loss at sigma plus {@code
 * martingale_lambda} times (x̂₁ − D₀)·(x̂₂ − D₀), where D₀ is the denoiser's estimate at the noisy
 * point and x̂₁, x̂₂ are its estimates after two independent no-grad backward-SDE chains of {@code
 * num_steps} EDM-schedule steps from sigma down to sigma − ε. Its expectation is zero exactly when
 * the denoiser's predictions form a martingale along the reverse process.
 *
 * <p>Ported from the CDM fork's {@code MartingaleLoss} including its quirks, because fixtures and
 * published models follow them: the augment pipe and the noise draw run twice (the first result is
 * discarded, but its random draws are consumed); ε = U[0,1)·(epsilon_max − epsilon_min), i.e.
 * epsilon_min only narrows the range; sigma − ε is floored at 0.002; the chain's network calls get
 * no augment labels while the final call gets them; the chain runs in float64 like the reference's
 * {@code .to(torch.float64)}. {@code S_churn}, {@code S_min}, {@code S_max}, {@code S_noise} and
 * {@code rho} are accepted and recorded like the reference, which does not use them in this loss
 * (its schedule hard-codes rho=7).
 */
public final class MartingaleLoss implements Loss {
  /** The reference's hard-coded floor for sigma − ε. */
  static final double SIGMA_FLOOR = 0.002;

  private final EDMLoss edm;
  private final double epsilonMin;
  private final double epsilonMax;
  private final int numSteps;
  private final double rho;
  private final double martingaleLambda;
  private final double sChurn;
  private final double sMin;
  private final double sMax;
  private final double sNoise;
  private UnaryOperator<Denoiser> chainNet = UnaryOperator.identity();

  /** All reference parameters, in the reference's order. */
  public MartingaleLoss(
      double pMean,
      double pStd,
      double sigmaData,
      double epsilonMin,
      double epsilonMax,
      int numSteps,
      double rho,
      double martingaleLambda,
      double sChurn,
      double sMin,
      double sMax,
      double sNoise) {
    if (numSteps < 2) {
      throw new IllegalArgumentException(
          "martingale_steps must be at least 2 (one backward-SDE step), got " + numSteps);
    }
    this.edm = new EDMLoss(pMean, pStd, sigmaData);
    this.epsilonMin = epsilonMin;
    this.epsilonMax = epsilonMax;
    this.numSteps = numSteps;
    this.rho = rho;
    this.martingaleLambda = martingaleLambda;
    this.sChurn = sChurn;
    this.sMin = sMin;
    this.sMax = sMax;
    this.sNoise = sNoise;
  }

  /** The reference defaults with the given lambda and number of steps. */
  public MartingaleLoss(double martingaleLambda, int numSteps) {
    this(-1.2, 1.2, 0.5, 0.0, 0.05, numSteps, 7, martingaleLambda, 10.0, 0.01, 1.0, 1.007);
  }

  /**
   * Evaluates the no-grad chains with a different view of the network (for example the same weights
   * executed in bf16): the chains dominate the cost and carry no gradient.
   */
  public MartingaleLoss withChainNet(UnaryOperator<Denoiser> chainNet) {
    this.chainNet = chainNet;
    return this;
  }

  public int numSteps() {
    return numSteps;
  }

  public double martingaleLambda() {
    return martingaleLambda;
  }

  @Override
  public NDArray compute(
      Denoiser net, NDArray images, NDArray labels, Augmentation augment, RandomSource random) {
    long n = images.getShape().get(0);
    NDArray sigma = edm.drawSigma(images, random);
    // The reference augments and draws noise once, discards both, then does it again.
    Augmentation.Augmented discarded = Loss.augment(augment, images, random);
    random.randnLike(discarded.images());

    NDArray weight = edm.weight(sigma);
    Augmentation.Augmented a = Loss.augment(augment, images, random);
    NDArray y = a.images();
    NDArray noise = random.randnLike(y).mul(sigma);
    NDArray noisy = y.add(noise);
    NDArray d0 = Loss.call(net, noisy, sigma, labels, a.labels());

    NDArray labels2 = labels == null ? null : twice(labels);
    NDArray augLabels2 = a.labels() == null ? null : twice(a.labels());
    NDArray epsilon = mul(random.randLike(sigma), epsilonMax - epsilonMin);
    NDArray sigmaMin = maximum(sigma.sub(epsilon), SIGMA_FLOOR);

    // t_steps [2N,1,1,1,num_steps] float64; both chains start from the same noisy point.
    NDArray tSteps =
        twice(TimeSteps.edm(sigmaMin.expandDims(4), sigma.expandDims(4), rho, numSteps));
    NDArray start = twice(y).add(twice(noise));
    Denoiser chain = chainNet.apply(net);
    NDArray xEnd =
        Autograd.noGrad(
            () -> {
              // Each step's intermediates, and the previous state, are freed when the step ends
              // (as reference counting frees them in PyTorch) instead of living on the loss's
              // manager through the gradient-carrying forward and backward that follow.
              NDManager owner = start.getManager();
              NDArray x = start;
              for (int i = 0; i < numSteps - 1; i++) {
                try (NDManager step = owner.newSubManager()) {
                  if (x == start) {
                    x.tempAttach(step);
                  } else {
                    x.attach(step);
                  }
                  NDArray tCur = tSteps.get(new NDIndex("..., {}", i));
                  NDArray tNext = tSteps.get(new NDIndex("..., {}", i + 1));
                  tCur.attach(step);
                  tNext.attach(step);
                  x = backwardSdeStep(chain, x, labels2, tCur, tNext, random);
                  x.attach(owner);
                }
              }
              return x;
            });

    NDArray d = Loss.call(net, xEnd, twice(sigmaMin), labels2, augLabels2);
    NDArray xHat1 = d.get(new NDIndex("0:{}", n));
    NDArray xHat2 = d.get(new NDIndex("{}:", n));
    NDArray loss1 = weight.mul(d0.sub(y).square());
    NDArray loss2 = xHat1.sub(d0).mul(xHat2.sub(d0));
    return loss1.add(mul(loss2, martingaleLambda));
  }

  /** torch's {@code x.repeat([2, 1, ...])}: the batch twice, one copy after the other. */
  private static NDArray twice(NDArray x) {
    return x.concat(x, 0);
  }

  /**
   * One first-order step of the reference's {@code backward_sde_sampler} with per-sample t: the
   * network gets no augment labels here, like the reference.
   */
  static NDArray backwardSdeStep(
      Denoiser net, NDArray x, NDArray labels, NDArray tCur, NDArray tNext, RandomSource random) {
    NDArray denoised = Loss.call(net, x, tCur, labels, null).toType(DataType.FLOAT64, false);
    NDArray dCur = StepEquations.slope(x, denoised, tCur);
    return StepEquations.backwardSde(x, dCur, tCur, tNext, random.randnLike(x));
  }
}
