package dev.cdm.transforms.fid;

import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.data.Pixels;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Decodes a batch of image indices (keyed by group) of a dataset ZIP/folder into one {@link
 * ImageBatch}; the archive (a local path or any Beam file system) is opened once per DoFn instance.
 * All images of a batch must share a shape, as the reference's dataset asserts; an error names the
 * image that differs.
 */
final class DecodeImagesFn extends DoFn<KV<Integer, List<Integer>>, ImageBatch> {
  private final String path;
  private transient ImageArchive archive;

  DecodeImagesFn(String path) {
    this.path = path;
  }

  @Setup
  public void setup() throws IOException {
    archive = AtomicFiles.openArchive(path);
  }

  @ProcessElement
  public void process(@Element KV<Integer, List<Integer>> batch, OutputReceiver<ImageBatch> out) {
    List<Integer> indices = batch.getValue();
    byte[] pixels = null;
    Pixels first = null;
    int per = 0;
    for (int k = 0; k < indices.size(); k++) {
      int index = indices.get(k);
      Pixels p = archive.pixels(index);
      if (first == null) {
        if (p.channels() != 1 && p.channels() != 3) {
          throw new IllegalArgumentException(
              "Image "
                  + archive.names().get(index)
                  + " in "
                  + path
                  + " has "
                  + p.channels()
                  + " channels; the detector takes grayscale (1) or RGB (3)"
                  + " images, as the reference's");
        }
        first = p;
        per = p.data().length;
        pixels = new byte[per * indices.size()];
      } else if (p.channels() != first.channels()
          || p.height() != first.height()
          || p.width() != first.width()) {
        throw new IllegalArgumentException(
            "Image "
                + archive.names().get(index)
                + " in "
                + path
                + " is "
                + p.channels()
                + "x"
                + p.height()
                + "x"
                + p.width()
                + ", but "
                + archive.names().get(indices.get(0))
                + " is "
                + first.channels()
                + "x"
                + first.height()
                + "x"
                + first.width()
                + " (all images must have the same shape)");
      }
      System.arraycopy(p.chw(), 0, pixels, k * per, per);
    }
    if (first != null) {
      out.output(
          new ImageBatch(
              batch.getKey(),
              indices.get(0),
              indices.size(),
              first.channels(),
              first.height(),
              first.width(),
              pixels));
    }
  }

  @Teardown
  public void teardown() throws IOException {
    if (archive != null) {
      archive.close();
    }
  }
}
