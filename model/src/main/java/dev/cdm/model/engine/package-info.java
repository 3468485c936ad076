/**
 * How the engine starts: {@link dev.cdm.model.engine.EngineDefaults} (offline mode, cuDNN
 * autotuning, TF32 policy, allocator and CPU-kernel settings), applied for every entry point by
 * {@link dev.cdm.model.engine.StartupHook} before DJL loads libtorch.
 */
package dev.cdm.model.engine;
