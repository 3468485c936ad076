package dev.cdm.transforms.generate;

import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;

/** Writes generated images as PNG files named by seed; outputs the written locations. */
public final class WriteImages
    extends PTransform<PCollection<GeneratedImage>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final SerializableFunction<BoundedWindow, String> outdir;
  private final boolean subdirs;

  public WriteImages(String outdir, boolean subdirs) {
    this(w -> outdir, subdirs);
  }

  private WriteImages(SerializableFunction<BoundedWindow, String> outdir, boolean subdirs) {
    this.outdir = outdir;
    this.subdirs = subdirs;
  }

  /** The images of each window go to the folder {@code outdir.apply(window)}. */
  public static WriteImages perWindow(
      SerializableFunction<BoundedWindow, String> outdir, boolean subdirs) {
    return new WriteImages(outdir, subdirs);
  }

  @Override
  public PCollection<String> expand(PCollection<GeneratedImage> images) {
    return images.apply("WritePng", ParDo.of(new WriteImagesFn(outdir, subdirs)));
  }
}
