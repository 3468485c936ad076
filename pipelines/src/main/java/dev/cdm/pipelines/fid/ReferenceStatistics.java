package dev.cdm.pipelines.fid;

import dev.cdm.fid.GaussianStatistics;
import dev.cdm.model.io.Sources;
import dev.cdm.pipelines.CommandErrors;
import java.io.IOException;

/** The {@code --ref} statistics of the commands that score images against them. */
public final class ReferenceStatistics {
  private ReferenceStatistics() {}

  /**
   * The statistics at {@code ref}, checked for {@code --num} images per statistic: fewer images
   * than features give a singular covariance, so that is a usage error naming both flags.
   */
  public static GaussianStatistics read(String ref, int num) throws IOException {
    GaussianStatistics reference = GaussianStatistics.read(Sources.open(ref, "--ref"));
    if (num < reference.dim()) {
      throw CommandErrors.usage(
          "--num="
              + num
              + " is fewer than the "
              + reference.dim()
              + " features of --ref="
              + ref
              + ": statistics need at least "
              + reference.dim()
              + " images");
    }
    return reference;
  }
}
