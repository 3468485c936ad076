package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.nn.HostScalars;

/** Sampler output to 8-bit pixels exactly as {@code generate.py} saves them. */
public final class ImageQuantizer {
  private ImageQuantizer() {}

  /**
   * {@code (x * 127.5 + 128).clip(0, 255).to(torch.uint8)}: [N, C, H, W] in the sampler's precision
   * to uint8 (the cast truncates, so 128 centres the rounding).
   */
  public static NDArray toUint8(NDArray x) {
    NDArray scaled = HostScalars.mul(x, 127.5);
    NDArray shifted = HostScalars.add(scaled, 128);
    scaled.close();
    NDArray clipped = HostScalars.clip(shifted, 0, 255);
    shifted.close();
    NDArray u8 = clipped.toType(DataType.UINT8, false);
    clipped.close();
    return u8;
  }
}
