/**
 * How the engine starts: {@link dev.cdm.engine.EngineDefaults} (offline mode, cuDNN autotuning,
 * TF32 policy, allocator and CPU-kernel settings), applied for every entry point by {@link
 * dev.cdm.engine.StartupHook} before DJL loads libtorch.
 */
package dev.cdm.engine;
