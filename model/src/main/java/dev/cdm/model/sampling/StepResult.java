package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;

/** What the CDM repo's one-step samplers return: {@code (x_next, denoised)}. */
public final class StepResult {
  public final NDArray xNext;
  public final NDArray denoised;

  public StepResult(NDArray xNext, NDArray denoised) {
    this.xNext = xNext;
    this.denoised = denoised;
  }
}
