/**
 * The only place that speaks PyTorch-engine internals ({@code ai.djl.pytorch}): the autograd bridge
 * (per-thread grad mode, backward, zeroing gradients), libtorch-owned fills (the host scalars and
 * device fills that avoid host-to-device copies), the fused {@code group_norm}/{@code silu}
 * kernels, TorchScript module loading and calls, and the seeding of libtorch's default random
 * generators.
 *
 * <p>Everything else in the project uses DJL's public, engine-neutral API plus this package, so a
 * DJL upgrade that changes the engine's internals touches this package alone. {@code
 * EngineInternalsConfinedTest} fails the build when a class elsewhere refers to {@code
 * ai.djl.pytorch}.
 */
package dev.cdm.model.torch;
