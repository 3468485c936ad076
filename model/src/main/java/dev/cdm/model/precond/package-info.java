/**
 * Preconditioned denoisers {@code D(x; sigma) = c_skip x + c_out F(c_in x; c_noise)}.
 *
 * <ul>
 *   <li>{@link dev.cdm.model.precond.Denoiser}: what samplers and losses see.
 *   <li>{@link dev.cdm.model.precond.Precond}: the four reference preconditionings ({@link
 *       dev.cdm.model.precond.EDMPrecond}, {@link dev.cdm.model.precond.VPPrecond}, {@link
 *       dev.cdm.model.precond.VEPrecond}, {@link dev.cdm.model.precond.IDDPMPrecond}); {@code
 *       Precond.create(className, initKwargs, manager)} builds a fresh one from the reference's
 *       constructor arguments; {@code parameters()}, {@code buffers()}, {@code stateDict()}, {@code
 *       loadStateDict()}, {@code setTraining()}, {@code setPrecision()} / per-call {@code
 *       denoise(..., Precision)}, {@code parametersUpdated()} (drop cached fp16 weight copies after
 *       in-place updates), {@code config()}; closing it frees its tensors.
 *   <li>Loading and saving: {@link dev.cdm.model.io.NetworkLoader}.
 * </ul>
 */
package dev.cdm.model.precond;
