package dev.cdm.transforms.dataset;

import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;

/**
 * An input dataset after its one sequential pass ({@link DatasetSources#prepare}): it knows how
 * many images will be converted and lets any worker read any index range independently, so that
 * conversion parallelises while output order stays the input order.
 */
public interface PreparedSource extends Serializable {
  /** Number of images to convert (the input's, capped by {@code --max-images}). */
  long size();

  /** What was opened, for messages. */
  String description();

  /** Reads images [start, end) in order. */
  Reader open(long start, long end) throws IOException;

  /** A sequential reader over an index range. */
  interface Reader extends Closeable {
    /** The next item, or null after the last one. */
    SourceItem next() throws IOException;
  }
}
