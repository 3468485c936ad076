package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Denoiser;

/**
 * One step of {@code example.py}'s {@code det_sampler}: an Euler step of the probability-flow ODE
 * from t_cur to t_next, with Heun's correction only when {@code secondOrder} (off by default in the
 * reference, so {@code example.py} samples with Euler). float64 state.
 */
public final class DeterministicStep {
  private DeterministicStep() {}

  public static NDArray step(
      Denoiser net,
      NDArray xCur,
      NDArray classLabels,
      int numSteps,
      double tCur,
      double tNext,
      int i,
      boolean secondOrder) {
    NDManager parent = xCur.getManager();
    try (NDManager step = parent.newSubManager()) {
      // Intermediates follow their first operand: keep them in the step's manager.
      xCur.tempAttach(step);
      NDArray xNext =
          StepEquations.heun(
                  net, xCur, tCur, tNext, classLabels, i < numSteps - 1 && secondOrder, step)
              .xNext;
      xNext.attach(parent);
      return xNext;
    }
  }
}
