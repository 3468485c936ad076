package dev.cdm.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Precond;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a ready-to-use preconditioned network from a reference checkpoint ({@code .pkl}: the
 * {@code ema} entry, or {@code net} when there is no {@code ema}) or from our snapshot format
 * ({@code .safetensors} + JSON config), and saves our snapshot.
 */
public final class NetworkLoader {
  /** Positional constructor arguments of the preconditioners, in the reference's order. */
  private static final List<String> PRECOND_POSITIONAL =
      List.of("img_resolution", "img_channels", "label_dim", "use_fp16");

  private NetworkLoader() {}

  /** Loads the network of {@code path} (by extension: {@code .pkl}/{@code .pt} or {@code .safetensors}). */
  public static Precond load(Path path, NDManager manager) throws IOException {
    String name = path.getFileName().toString().toLowerCase();
    if (name.endsWith(".safetensors")) {
      return loadSnapshot(path, manager);
    }
    return fromReference(ReferenceCheckpoint.read(path).network(), manager, path.toString());
  }

  /**
   * Rebuilds a network from a reference persistent object: constructs it from the pickled class
   * name and constructor arguments, then loads its state dict.
   */
  public static Precond fromReference(PersistentObject net, NDManager manager, String source) {
    if (!net.hasInitArgs()) {
      throw new IllegalArgumentException(
          source + ": network " + net.className() + " carries no recorded constructor arguments");
    }
    Map<String, Object> kwargs = new LinkedHashMap<>();
    List<Object> args = net.initArgs();
    if (args.size() > PRECOND_POSITIONAL.size()) {
      throw new IllegalArgumentException(
          source + ": network " + net.className() + " has " + args.size()
              + " positional constructor arguments, at most " + PRECOND_POSITIONAL.size() + " expected");
    }
    for (int i = 0; i < args.size(); i++) {
      kwargs.put(PRECOND_POSITIONAL.get(i), args.get(i));
    }
    kwargs.putAll(net.initKwargs());
    Precond p;
    try {
      p = Precond.create(net.className(), kwargs, manager);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    try (NDManager tmp = manager.newSubManager()) {
      Map<String, NDArray> state = new LinkedHashMap<>();
      for (Map.Entry<String, TensorData> e : net.stateDict().entrySet()) {
        state.put(e.getKey(), e.getValue().toNDArray(tmp));
      }
      p.loadStateDict(state);
    } catch (IllegalArgumentException e) {
      p.close();
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    return p;
  }

  /** Our snapshot: safetensors tensors + config. (Implemented once the snapshot format lands.) */
  static Precond loadSnapshot(Path path, NDManager manager) throws IOException {
    throw new UnsupportedOperationException(path + ": safetensors snapshots are not supported yet");
  }
}
