package dev.cdm.transforms.generate;

import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/** Writes generated images as PNG files named by seed; outputs the written locations. */
public final class WriteImages extends PTransform<PCollection<GeneratedImage>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final String outdir;
  private final boolean subdirs;

  public WriteImages(String outdir, boolean subdirs) {
    this.outdir = outdir;
    this.subdirs = subdirs;
  }

  @Override
  public PCollection<String> expand(PCollection<GeneratedImage> images) {
    return images.apply("WritePng", ParDo.of(new WriteImagesFn(outdir, subdirs)));
  }
}
