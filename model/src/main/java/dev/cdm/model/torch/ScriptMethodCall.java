package dev.cdm.model.torch;

import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Calls a TorchScript method under the calling thread's grad mode: recorded for backward when grad
 * mode is on, not recorded when it is off.
 *
 * <p>DJL's public {@code IValueUtils.runMethod} always runs the method with its {@code isTrain}
 * flag false, which in DJL's native code means libtorch's inference mode. That would cut the
 * training graph at every fused kernel, and worse, its results are inference tensors, which no
 * later tracked computation may save for backward (a non-blocking upload of the augment labels made
 * that way failed in the first training step on a GPU). So the flag is always true here: the native
 * side then runs the method as it is, under the thread's grad mode. The native entry that takes the
 * flag, {@code PyTorchLibrary.moduleRunMethod}, and the {@code IValue(long)} constructor are
 * package-private in {@code ai.djl.pytorch.jni}; they are reached through {@link
 * MethodHandles#privateLookupIn} (DJL is on the class path, in the unnamed module) and resolved
 * once into static final handles, which the JIT inlines like a direct call. When a DJL version no
 * longer has them, {@link #check()} says so by name and the caller falls back.
 */
final class ScriptMethodCall {
  private static final String JNI = "ai.djl.pytorch.jni.PyTorchLibrary";

  /**
   * {@code PyTorchLibrary.LIB.moduleRunMethod(long module, String method, long[] inputs, boolean
   * isTrain, boolean separateCudaStream) -> long}.
   */
  private static final MethodHandle RUN_METHOD;

  /** {@code new IValue(long handle)}. */
  private static final MethodHandle NEW_IVALUE;

  /** Why the handles could not be resolved (null when they were). */
  private static final String UNAVAILABLE;

  static {
    MethodHandle run = null;
    MethodHandle newValue = null;
    String why = null;
    try {
      Class<?> lib = Class.forName(JNI, true, JniUtils.class.getClassLoader());
      MethodHandles.Lookup jni = MethodHandles.privateLookupIn(lib, MethodHandles.lookup());
      Object instance = jni.findStaticGetter(lib, "LIB", lib).invoke();
      run =
          jni.findVirtual(
                  lib,
                  "moduleRunMethod",
                  MethodType.methodType(
                      long.class,
                      long.class,
                      String.class,
                      long[].class,
                      boolean.class,
                      boolean.class))
              .bindTo(instance);
      newValue = jni.findConstructor(IValue.class, MethodType.methodType(void.class, long.class));
    } catch (Throwable e) {
      run = null;
      newValue = null;
      why =
          "this DJL version has no "
              + JNI
              + ".LIB.moduleRunMethod(long, String, long[], boolean, boolean)"
              + " or IValue(long) (dev.cdm.model.torch.ScriptMethodCall needs updating for it): "
              + e;
    }
    RUN_METHOD = run;
    NEW_IVALUE = newValue;
    UNAVAILABLE = why;
  }

  private ScriptMethodCall() {}

  /** Throws an IllegalStateException naming what DJL lacks, when the native entry was not found. */
  static void check() {
    if (UNAVAILABLE != null) {
      throw new IllegalStateException(UNAVAILABLE);
    }
  }

  /** {@code module.method(inputs)}, recorded for backward when the thread's grad mode is on. */
  static IValue run(PtSymbolBlock module, String method, IValue... inputs) {
    check();
    long[] handles = new long[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      handles[i] = inputs[i].getHandle();
    }
    try {
      long out =
          (long) RUN_METHOD.invokeExact((long) module.getHandle(), method, handles, true, false);
      return (IValue) NEW_IVALUE.invokeExact(out);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e); // neither handle declares a checked exception
    }
  }
}
