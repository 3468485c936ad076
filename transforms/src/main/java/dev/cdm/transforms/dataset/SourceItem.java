package dev.cdm.transforms.dataset;

import dev.cdm.model.data.BadImageException;
import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;

/**
 * One input image in the reference's order: its index, a name for messages (file, archive entry or
 * record), its label (null: none) and its pixels, decoded on demand so that a corrupt file fails
 * (or is skipped) where it is converted.
 */
public final class SourceItem {
  private final long index;
  private final String name;
  private final String label;
  private final Pixels pixels;
  private final byte[] encoded;
  private final BadImageException readError;
  private final boolean color; // decode as cv2.IMREAD_COLOR (always RGB)

  private SourceItem(
      long index,
      String name,
      String label,
      Pixels pixels,
      byte[] encoded,
      BadImageException readError,
      boolean color) {
    this.index = index;
    this.name = name;
    this.label = label;
    this.pixels = pixels;
    this.encoded = encoded;
    this.readError = readError;
    this.color = color;
  }

  public static SourceItem ofPixels(long index, String name, String label, Pixels pixels) {
    return new SourceItem(index, name, label, pixels, null, null, false);
  }

  public static SourceItem ofEncoded(long index, String name, String label, byte[] encoded) {
    return new SourceItem(index, name, label, null, encoded, null, false);
  }

  /**
   * Encoded bytes decoded to RGB whatever they hold, as {@code dataset_tool}'s LSUN reader does.
   */
  public static SourceItem ofColorEncoded(long index, String name, String label, byte[] encoded) {
    return new SourceItem(index, name, label, null, encoded, null, true);
  }

  public static SourceItem ofError(long index, String name, String label, BadImageException error) {
    return new SourceItem(index, name, label, null, null, error, false);
  }

  public long index() {
    return index;
  }

  public String name() {
    return name;
  }

  /** The label as JSON text ({@code 6}, {@code [0.5, 1.0]}), or null when the image has none. */
  public String label() {
    return label;
  }

  /** The decoded image; a read or decode failure names the input. */
  public Pixels decode() throws BadImageException {
    if (readError != null) {
      throw readError;
    }
    if (pixels != null) {
      return pixels;
    }
    return color ? PngCodec.decodeColor(encoded, name) : PngCodec.decode(encoded, name);
  }

  /** Writes a label's JSON text (null: none) to an index or shard file, any length. */
  static void writeLabel(java.io.DataOutput out, String label) throws java.io.IOException {
    if (label == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = label.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /** Reads what {@link #writeLabel} wrote. */
  static String readLabel(java.io.DataInput in) throws java.io.IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }
}
