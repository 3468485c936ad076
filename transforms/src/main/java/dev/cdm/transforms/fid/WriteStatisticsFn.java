package dev.cdm.transforms.fid;

import dev.cdm.fid.FeatureMoments;
import java.io.IOException;
import java.nio.file.Paths;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Writes the statistics ({@code mu}, {@code sigma}) of the combined moments to a {@code .npz}
 * in the reference's format, atomically. Expects one group (that of {@code cdm ref}).
 */
public final class WriteStatisticsFn extends DoFn<KV<Integer, FeatureMoments>, String> {
  private final String dest;

  public WriteStatisticsFn(String dest) {
    this.dest = dest;
  }

  @ProcessElement
  public void process(@Element KV<Integer, FeatureMoments> moments, OutputReceiver<String> out)
      throws IOException {
    moments.getValue().requireAtLeastDimImages();
    moments.getValue().toStatistics().write(Paths.get(dest));
    out.output(dest);
  }
}
