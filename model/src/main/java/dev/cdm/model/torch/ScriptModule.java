package dev.cdm.model.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;

/**
 * A TorchScript module loaded for inference, called with IValues as a Python caller would (DJL's
 * {@code Predictor} passes only tensors; a detector's {@code forward(img, return_features)} also
 * takes a bool).
 */
public final class ScriptModule implements AutoCloseable {
  private final PtSymbolBlock module;

  private ScriptModule(PtSymbolBlock module) {
    this.module = module;
  }

  /**
   * Loads {@code file} onto {@code manager}'s device (a PyTorch-engine manager) in inference mode.
   *
   * @throws RuntimeException when the file is not a loadable TorchScript module
   */
  public static ScriptModule loadForInference(Path file, NDManager manager) {
    PtSymbolBlock module =
        JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], false);
    JniUtils.enableInferenceMode(module);
    return new ScriptModule(module);
  }

  /**
   * {@code module.forward(input, flag)} returning a tensor, attached to {@code into} (a manager of
   * the PyTorch engine).
   *
   * @throws IllegalStateException when the module returns something else (the message names it)
   */
  public NDArray forward(NDArray input, boolean flag, NDManager into) {
    try (IValue x = IValue.from((PtNDArray) input);
        IValue f = IValue.from(flag);
        IValue out = module.forward(x, f)) {
      if (!out.isTensor()) {
        throw new IllegalStateException("returned " + out.getType() + ", expected a tensor");
      }
      return out.toTensor((PtNDManager) into);
    }
  }

  @Override
  public void close() {
    module.close();
  }
}
