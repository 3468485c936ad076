package dev.cdm.pipelines.evaluate;

import dev.cdm.model.training.KimgFileName;
import dev.cdm.transforms.evaluate.SnapshotId;

/**
 * One published network snapshot: {@code network-snapshot-NNNNNN.pkl|.safetensors}, where NNNNNN is
 * the training progress in kimg, whole or with decimals ({@code 000001.500}: ticks of a fraction of
 * a kimg), the names of {@link KimgFileName}. Files still being written ({@code .part}, temporary
 * names) do not match.
 */
public record Snapshot(
    String location, String name, double kimg, long sizeBytes, long modifiedMillis)
    implements SnapshotId {
  private static final long serialVersionUID = 1L;

  /** The snapshot at {@code location} with this file name, or null when the name is not one. */
  public static Snapshot of(String location, String name, long sizeBytes, long modifiedMillis) {
    KimgFileName n = KimgFileName.parse(name);
    if (n == null || !n.isNetworkSnapshot()) {
      return null;
    }
    return new Snapshot(location, name, n.kimg(), sizeBytes, modifiedMillis);
  }

  /**
   * A network file named on the command line: any name (e.g. a published reference {@code .pkl});
   * kimg from a {@code network-snapshot-NNNNNN} name, else 0.
   */
  public static Snapshot file(String location, String name, long sizeBytes, long modifiedMillis) {
    Snapshot s = of(location, name, sizeBytes, modifiedMillis);
    return s != null ? s : new Snapshot(location, name, 0, sizeBytes, modifiedMillis);
  }

  /** Whether {@code location} names one network file rather than a run directory. */
  public static boolean isFile(String location) {
    return location.endsWith(".pkl") || location.endsWith(".safetensors");
  }

  /** The name without extension, used for the grid and image folders. */
  public String stem() {
    return name.substring(0, name.lastIndexOf('.'));
  }
}
