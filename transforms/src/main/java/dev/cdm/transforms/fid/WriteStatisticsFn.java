package dev.cdm.transforms.fid;

import dev.cdm.fid.FeatureMoments;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Writes the statistics ({@code mu}, {@code sigma}) of the combined moments to a {@code .npz} in
 * the reference's format, through the file layer (a local path or any Beam file system, e.g.
 * gs://), created once: a job that restarts after writing it keeps the first file ({@link
 * AtomicFiles#createOnce}). Expects one group (that of {@code cdm ref}).
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
    // Through the file layer, so that the worker can write to gs:// as well as to a local path.
    AtomicFiles.createOnce(dest, moments.getValue().toStatistics().toNpzBytes());
    out.output(dest);
  }
}
