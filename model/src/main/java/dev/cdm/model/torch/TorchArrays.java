package dev.cdm.model.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;

/**
 * Arrays filled by libtorch ({@code torch.full}) on a manager's device: no host buffer, so no
 * host-to-device copy on a GPU and no Java buffer that the garbage collector could free under a
 * tensor that autograd still holds (see {@link dev.cdm.model.nn.HostScalars}).
 */
public final class TorchArrays {
  private TorchArrays() {}

  /**
   * An array of {@code shape} and {@code dtype} holding {@code value}, on {@code manager}'s device.
   * A manager of another engine gets the same values from host memory.
   */
  public static NDArray full(NDManager manager, Shape shape, double value, DataType dtype) {
    if (manager instanceof PtNDManager) {
      return JniUtils.full(
          (PtNDManager) manager, shape, value, dtype, manager.getDevice(), SparseFormat.DENSE);
    }
    double[] s = new double[(int) shape.size()];
    Arrays.fill(s, value);
    NDArray a = manager.create(s, shape);
    return dtype == DataType.FLOAT64 ? a : a.toType(dtype, false);
  }
}
