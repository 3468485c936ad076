package ai.djl.pytorch.jni;

import ai.djl.pytorch.engine.PtSymbolBlock;

/**
 * Calls a TorchScript method with autograd recording when grad mode is on.
 *
 * <p>Lives in DJL's package because the native entry point is package-private, and DJL's public
 * {@link IValueUtils#runMethod} always runs the method with autograd off (its {@code isTrain}
 * flag is fixed to false), which would cut the training graph at every fused kernel.
 */
public final class AutogradMethodCall {
  private AutogradMethodCall() {}

  /** {@code module.method(inputs)}; recorded for backward when {@code recordGradient}. */
  public static IValue run(PtSymbolBlock module, String method, boolean recordGradient, IValue... inputs) {
    long[] handles = new long[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      handles[i] = inputs[i].getHandle();
    }
    return new IValue(
        PyTorchLibrary.LIB.moduleRunMethod(module.getHandle(), method, handles, recordGradient, false));
  }
}
