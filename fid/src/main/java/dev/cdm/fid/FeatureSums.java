package dev.cdm.fid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@link FeatureMoments} accumulated on the detector's device: the reference's {@code mu +=
 * features.sum(0)} and {@code sigma += features.T @ features} in float64, kept on the device
 * between batches so that only the final sums (d + d^2 doubles) cross to the host.
 */
public final class FeatureSums implements AutoCloseable {
  private final NDManager manager;
  private NDArray sum; // [d] float64
  private NDArray outer; // [d, d] float64
  private long count;

  /** Sums in a sub-manager of {@code parent}, on its device. */
  public FeatureSums(NDManager parent) {
    this.manager = parent.newSubManager();
  }

  public long count() {
    return count;
  }

  /** Adds a batch of features [N, d] (any float type; summed in float64). */
  public void add(NDArray features) {
    Shape s = features.getShape();
    if (s.dimension() != 2) {
      throw new IllegalArgumentException("features must be [N, d], got " + s);
    }
    if (s.get(0) == 0) {
      return;
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray f = features.toDevice(manager.getDevice(), false);
      f.tempAttach(scope);
      f = f.toType(DataType.FLOAT64, false);
      NDArray batchSum = f.sum(new int[] {0});
      NDArray batchOuter = f.transpose().matMul(f);
      if (sum == null) {
        sum = batchSum;
        outer = batchOuter;
        sum.attach(manager);
        outer.attach(manager);
      } else {
        if (sum.getShape().get(0) != s.get(1)) {
          throw new IllegalArgumentException(
              "features of dimension "
                  + s.get(1)
                  + " added to sums of dimension "
                  + sum.getShape().get(0));
        }
        sum.addi(batchSum);
        outer.addi(batchOuter);
      }
    }
    count += s.get(0);
  }

  /** A host copy of the sums so far (dimension 0 when nothing was added). */
  public FeatureMoments toMoments() {
    if (sum == null) {
      return new FeatureMoments(0);
    }
    int d = Math.toIntExact(sum.getShape().get(0));
    return new FeatureMoments(d, count, sum.toDoubleArray(), outer.toDoubleArray());
  }

  /** Forgets the sums (e.g. after a bundle's moments were emitted). */
  public void reset() {
    if (sum != null) {
      sum.close();
      outer.close();
    }
    sum = null;
    outer = null;
    count = 0;
  }

  @Override
  public void close() {
    manager.close();
  }
}
