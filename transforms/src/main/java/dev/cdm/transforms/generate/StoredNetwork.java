package dev.cdm.transforms.generate;

import ai.djl.ndarray.NDManager;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;

/**
 * A stored network, by location: the {@link DenoiserFactory} of a {@code --network} location (path,
 * {@code http(s)://}, or any Beam file system such as {@code gs://} through the loader's {@code
 * RemoteFetcher}): loads the reference checkpoint or our snapshot on the worker's device, with the
 * requested execution precision. Remote files are fetched once per host into the loader's cache.
 * (Not to be confused with {@code dev.cdm.model.training.NetworkFactory}, which builds a freshly
 * initialised replica.)
 */
public final class StoredNetwork implements DenoiserFactory {
  private static final long serialVersionUID = 1L;

  private final String location;
  private final Precision precision;

  private StoredNetwork(String location, Precision precision) {
    this.location = location;
    this.precision = precision;
  }

  /** {@code precision} is fp32, fp16 or bf16 (the {@code --precision} flag). */
  public static StoredNetwork of(String location, String precision) {
    try {
      return new StoredNetwork(location, Precision.parse(precision));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--precision: " + e.getMessage(), e);
    }
  }

  public String location() {
    return location;
  }

  @Override
  public Denoiser load(NDManager manager) throws Exception {
    Precond net;
    try {
      net = NetworkLoader.load(location, manager);
    } catch (java.io.IOException e) {
      throw new java.io.IOException(
          "--network: cannot load " + location + ": " + e.getMessage(), e);
    }
    try {
      net.setPrecision(precision);
    } catch (UnsupportedOperationException e) {
      net.close();
      throw new IllegalArgumentException(
          "--precision=" + precision.name().toLowerCase() + ": " + e.getMessage(), e);
    }
    return net;
  }
}
