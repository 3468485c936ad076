package dev.cdm.model.io;

import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Precond;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a ready-to-use preconditioned network from a reference checkpoint ({@code .pkl}: the {@code
 * ema} entry, or {@code net} when there is no {@code ema}) or from our snapshot ({@code
 * .safetensors} with a JSON config; see {@link NetworkSnapshot}), and saves our snapshot. The
 * format is recognised from the file's content. Nothing in a file is executed: the network is
 * rebuilt from its recorded class name and constructor arguments, then its state dict is loaded.
 *
 * <p>Training also needs the checkpoint's loss, augment pipe and dataset settings: read them with
 * {@link NetworkSnapshot#load(Path)} ({@code lossFn()}, {@code augmentPipe()}, {@code
 * datasetKwargs()}) and build the network from that same snapshot with {@link #fromSnapshot}.
 */
public final class NetworkLoader {
  /** Positional constructor arguments of the preconditioners, in the reference's order. */
  private static final List<String> PRECOND_POSITIONAL =
      List.of("img_resolution", "img_channels", "label_dim", "use_fp16");

  private NetworkLoader() {}

  /** Loads the network of a reference checkpoint or of our snapshot (recognised by content). */
  public static Precond load(Path path, NDManager manager) throws IOException {
    return fromSnapshot(NetworkSnapshot.load(path), manager, path.toString());
  }

  /** {@link #load(Path, NDManager)} for a path or URL ({@code http(s)://}, {@code gs://}). */
  public static Precond load(String pathOrUrl, NDManager manager) throws IOException {
    return fromSnapshot(NetworkSnapshot.load(pathOrUrl), manager, pathOrUrl);
  }

  /** Builds the snapshot's network on {@code manager}'s device; errors name {@code source}. */
  public static Precond fromSnapshot(NetworkSnapshot snapshot, NDManager manager, String source) {
    ObjectConfig net = snapshot.network();
    Map<String, Object> kwargs = new LinkedHashMap<>();
    List<Object> args = net.initArgs();
    if (args.size() > PRECOND_POSITIONAL.size()) {
      throw new IllegalArgumentException(
          source
              + ": network "
              + net.className()
              + " has "
              + args.size()
              + " positional constructor arguments, at most "
              + PRECOND_POSITIONAL.size()
              + " expected");
    }
    for (int i = 0; i < args.size(); i++) {
      kwargs.put(PRECOND_POSITIONAL.get(i), args.get(i));
    }
    kwargs.putAll(net.initKwargs());
    Precond p;
    try {
      // No weight draws: the state dict replaces them, and loading must not move the global
      // generator (the reference's unpickling never runs __init__).
      p =
          dev.cdm.model.nn.WeightInit.withoutDrawing(
              () -> Precond.create(net.className(), kwargs, manager));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    try {
      Map<String, TensorData> sd = snapshot.stateDict();
      Map<String, ai.djl.ndarray.types.Shape> shapes = new LinkedHashMap<>();
      sd.forEach((k, t) -> shapes.put(k, new ai.djl.ndarray.types.Shape(t.shape())));
      // One tensor at a time: the device holds the network plus one tensor, not two copies.
      NDManager[] current = new NDManager[1];
      try {
        p.loadStateDict(
            shapes,
            key -> {
              if (current[0] != null) {
                current[0].close();
              }
              current[0] = manager.newSubManager();
              return sd.get(key).toNDArray(current[0]);
            });
      } finally {
        if (current[0] != null) {
          current[0].close();
        }
      }
    } catch (RuntimeException e) {
      p.close();
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    return p;
  }

  /** The snapshot of a network (its config and a host copy of its state dict). */
  public static NetworkSnapshot snapshot(
      Precond net,
      ObjectConfig lossFn,
      ObjectConfig augmentPipe,
      Map<String, Object> datasetKwargs,
      Map<String, Object> extra) {
    LinkedHashMap<String, TensorData> state = new LinkedHashMap<>();
    net.stateDict().forEach((k, v) -> state.put(k, TensorData.fromNDArray(v)));
    ObjectConfig cfg = ObjectConfig.of(net.className(), List.of(), net.initKwargs());
    return NetworkSnapshot.of(cfg, state, lossFn, augmentPipe, datasetKwargs, extra);
  }

  /** Saves {@code net} as our snapshot, atomically; {@code extraConfig} is kept under "extra". */
  public static void save(Precond net, Path path, Map<String, Object> extraConfig)
      throws IOException {
    snapshot(net, null, null, null, extraConfig).write(path);
  }

  /** Saves {@code net} with its training settings (any of them may be null), atomically. */
  public static void save(
      Precond net,
      Path path,
      ObjectConfig lossFn,
      ObjectConfig augmentPipe,
      Map<String, Object> datasetKwargs,
      Map<String, Object> extraConfig)
      throws IOException {
    snapshot(net, lossFn, augmentPipe, datasetKwargs, extraConfig).write(path);
  }
}
