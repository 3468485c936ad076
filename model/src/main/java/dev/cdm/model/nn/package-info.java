/**
 * The reference's network layers ({@code training/networks.py}) on DJL: {@link
 * dev.cdm.model.nn.Linear}, {@link dev.cdm.model.nn.Conv2d} (with FIR up/downsampling), {@link
 * dev.cdm.model.nn.GroupNorm}, {@link dev.cdm.model.nn.UNetBlock} (with attention), {@link
 * dev.cdm.model.nn.NoiseEmbedding} (positional, Fourier), and the two U-Nets {@link
 * dev.cdm.model.nn.SongUNet} (DDPM++/NCSN++) and {@link dev.cdm.model.nn.DhariwalUNet} (ADM).
 *
 * <p>{@link dev.cdm.model.nn.Module} gives every tensor its torch {@code state_dict} name; {@link
 * dev.cdm.model.nn.Forward} carries one pass's dtype, dropout flag and intermediate manager; {@link
 * dev.cdm.model.nn.WeightInit} draws the reference's initialisations from the torch CPU generator
 * in the reference's order (a seeded network equals the reference's {@code torch.manual_seed} one).
 * Use these through {@link dev.cdm.model.precond.Precond}.
 */
package dev.cdm.model.nn;
