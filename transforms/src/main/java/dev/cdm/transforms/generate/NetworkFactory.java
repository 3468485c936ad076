package dev.cdm.transforms.generate;

import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Denoiser;

/**
 * The {@link DenoiserFactory} of a {@code --network} location: fetches the file once per host
 * ({@link NetworkFiles}) and loads it on the worker's device with the requested execution
 * precision.
 */
public final class NetworkFactory implements DenoiserFactory {
  private static final long serialVersionUID = 1L;

  private final String location;
  private final String precision;

  private NetworkFactory(String location, String precision) {
    this.location = location;
    this.precision = precision;
  }

  /** {@code precision} is fp32, fp16 or bf16 (the {@code --precision} flag). */
  public static NetworkFactory of(String location, String precision) {
    return new NetworkFactory(location, precision);
  }

  public String location() {
    return location;
  }

  @Override
  public Denoiser load(NDManager manager) throws Exception {
    NetworkFiles.localCopy(location);
    // Wired to dev.cdm.model.io.NetworkLoader once branch nets is merged.
    throw new UnsupportedOperationException(
        "--network: loading networks needs dev.cdm.model.io.NetworkLoader (branch nets)");
  }
}
