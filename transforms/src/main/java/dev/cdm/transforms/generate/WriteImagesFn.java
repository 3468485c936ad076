package dev.cdm.transforms.generate;

import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/** Writes each image atomically as {@code {seed:06d}.png}; outputs the written location. */
public final class WriteImagesFn extends DoFn<GeneratedImage, String> {
  private static final long serialVersionUID = 1L;

  private final SerializableFunction<BoundedWindow, String> outdir;
  private final boolean subdirs;
  // Beam metrics, per transform in the Flink web UI (job, Accumulators):
  // PNGs and bytes written, failed writes.
  private final Counter images = Metrics.counter("cdm", "write.images");
  private final Counter bytes = Metrics.counter("cdm", "write.bytes");
  private final Counter failures = Metrics.counter("cdm", "write.failures");

  public WriteImagesFn(String outdir, boolean subdirs) {
    this(w -> outdir, subdirs);
  }

  /** The folder of each image is {@code outdir.apply(its window)} (e.g. one per snapshot). */
  public WriteImagesFn(SerializableFunction<BoundedWindow, String> outdir, boolean subdirs) {
    this.outdir = outdir;
    this.subdirs = subdirs;
  }

  @ProcessElement
  public void process(@Element GeneratedImage img, BoundedWindow window, OutputReceiver<String> out)
      throws IOException {
    String location = ImagePaths.of(outdir.apply(window), img.seed(), subdirs);
    byte[] png =
        PngCodec.encodeCompressed(
            new Pixels(img.width(), img.height(), img.channels(), img.pixels()));
    try {
      AtomicFiles.write(location, png);
    } catch (IOException e) {
      failures.inc();
      throw new IOException("writing the image of seed " + img.seed() + " to " + location, e);
    }
    images.inc();
    bytes.inc(png.length);
    out.output(location);
  }
}
