package dev.cdm.transforms.generate;

import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import java.io.IOException;
import org.apache.beam.sdk.transforms.DoFn;

/** Writes each image atomically as {@code {seed:06d}.png}; outputs the written location. */
public final class WriteImagesFn extends DoFn<GeneratedImage, String> {
  private static final long serialVersionUID = 1L;

  private final String outdir;
  private final boolean subdirs;

  public WriteImagesFn(String outdir, boolean subdirs) {
    this.outdir = outdir;
    this.subdirs = subdirs;
  }

  @ProcessElement
  public void process(@Element GeneratedImage img, OutputReceiver<String> out) throws IOException {
    String location = ImagePaths.of(outdir, img.seed(), subdirs);
    byte[] png = PngCodec.encodeCompressed(new Pixels(img.width(), img.height(), img.channels(), img.pixels()));
    try {
      AtomicFiles.write(location, png);
    } catch (IOException e) {
      throw new IOException("writing the image of seed " + img.seed() + " to " + location, e);
    }
    out.output(location);
  }
}
