/**
 * Checkpoint input and output.
 *
 * <ul>
 *   <li>{@link dev.cdm.model.io.ReferenceCheckpoint#read(java.nio.file.Path)}: a reference {@code
 *       network-snapshot-*.pkl} (or {@code torch.save} file) read safely; {@code ema()}, {@code
 *       net()}, {@code lossFn()}, {@code augmentPipe()}, {@code datasetKwargs()}.
 *   <li>{@link dev.cdm.model.io.PersistentObject}: {@code className()}, {@code initArgs()}, {@code
 *       initKwargs()} (plain Java values), {@code attributes()}, {@code stateDict()} (names and
 *       order of torch's {@code state_dict()}), {@code module("model.enc")}.
 *   <li>{@link dev.cdm.model.io.TensorData}: shape, dtype, little-endian bytes, {@code
 *       toNDArray(manager)}, {@code toFloatArray()}.
 * </ul>
 *
 * <p>The pickle machine itself lives in {@code dev.cdm.model.io.pickle}; it resolves globals only
 * through an explicit allow-list and never executes anything from the file.
 */
package dev.cdm.model.io;
