package dev.cdm.model.io;

import dev.cdm.model.io.pickle.PickleException;
import dev.cdm.model.io.pickle.SafeUnpickler;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A reference checkpoint ({@code network-snapshot-*.pkl} as the reference training loop writes it
 * and as the published EDM/CDM models are distributed): {@code dict(ema=..., loss_fn=...,
 * augment_pipe=..., dataset_kwargs=...)}, each object pickled by {@code torch_utils/persistence}.
 *
 * <p>Reading never executes anything from the file: globals resolve only through an explicit
 * allow-list (see {@link ReferenceGlobals}); any other global, and any truncated or corrupt input,
 * is a {@link PickleException} that names the file. {@code torch.save} files (zip or legacy format,
 * e.g. {@code training-state-*.pt}) are read the same way.
 */
public final class ReferenceCheckpoint {
  private final String source;
  private final Map<String, Object> entries;

  private ReferenceCheckpoint(String source, Map<String, Object> entries) {
    this.source = source;
    this.entries = entries;
  }

  /**
   * Reads a checkpoint from a path or URL ({@code http(s)://} and {@code gs://} are cached locally;
   * see {@link Sources}).
   */
  public static ReferenceCheckpoint open(String pathOrUrl) throws IOException {
    return read(Sources.open(pathOrUrl));
  }

  /** Reads a checkpoint file. */
  public static ReferenceCheckpoint read(Path path) throws IOException {
    String name = path.toString();
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(name, null, "no such checkpoint file");
    }
    long size = Files.size(path);
    try (InputStream in = Files.newInputStream(path)) {
      return read(in, name, size);
    }
  }

  /**
   * Reads a checkpoint from a stream (not closed); {@code nameForErrors} names it in every error.
   */
  public static ReferenceCheckpoint read(InputStream in, String nameForErrors) throws IOException {
    return read(in, nameForErrors, -1);
  }

  private static ReferenceCheckpoint read(InputStream raw, String name, long size)
      throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(16);
    byte[] head = in.readNBytes(16);
    in.reset();
    if (head.length == 0) {
      throw new PickleException(name + " is empty, not a checkpoint");
    }
    Object top;
    if (TorchSerialization.isZip(head)) {
      top = TorchSerialization.loadZip(readAll(in, name, size), name);
    } else if (TorchSerialization.isLegacy(head)) {
      top = TorchSerialization.loadLegacy(readAll(in, name, size), name);
    } else {
      // Any pickle protocol (0 and 1 have no PROTO header); garbage fails as a corrupt pickle.
      top = new SafeUnpickler(in, name, size, new ReferenceGlobals(name), null).load();
    }
    if (!(top instanceof Map)) {
      throw new PickleException(
          name
              + " holds a "
              + (top == null ? "None" : top.getClass().getSimpleName())
              + ", expected a dict with an 'ema' (or 'net') network");
    }
    Map<String, Object> entries = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) top).entrySet()) {
      entries.put(String.valueOf(e.getKey()), e.getValue());
    }
    return new ReferenceCheckpoint(name, Collections.unmodifiableMap(entries));
  }

  private static byte[] readAll(InputStream in, String name, long size) throws IOException {
    if (size > Integer.MAX_VALUE - 8) {
      throw new PickleException(
          name + " is larger than 2 GiB; torch.save files that large are not supported");
    }
    return in.readAllBytes();
  }

  /** The Python globals a checkpoint may name (everything else is refused), sorted. */
  public static java.util.Set<String> allowedGlobals() {
    return ReferenceGlobals.allowed();
  }

  /** Where the checkpoint was read from. */
  public String source() {
    return source;
  }

  /** All top-level entries as read (values are plain Java values and {@link PickledObject}s). */
  public Map<String, Object> entries() {
    return entries;
  }

  /**
   * The EMA network (what the reference's {@code generate.py} uses); an error if the file has none.
   */
  public PersistentObject ema() {
    return object("ema")
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "checkpoint "
                        + source
                        + " has no 'ema' network (keys: "
                        + entries.keySet()
                        + ")"));
  }

  /** The raw training network ({@code net}), present in training-state files. */
  public Optional<PersistentObject> net() {
    return object("net");
  }

  /** The network to use: {@code ema} if present, else {@code net}. */
  public PersistentObject network() {
    return object("ema")
        .or(() -> object("net"))
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "checkpoint "
                        + source
                        + " has neither 'ema' nor 'net' (keys: "
                        + entries.keySet()
                        + ")"));
  }

  /**
   * The loss function object (EDMLoss, VPLoss, VELoss, MartingaleLoss), if present and not None.
   */
  public Optional<PersistentObject> lossFn() {
    return object("loss_fn");
  }

  /**
   * The augmentation pipe (AugmentPipe), if present and not None (it is None when augmentation is
   * off).
   */
  public Optional<PersistentObject> augmentPipe() {
    return object("augment_pipe");
  }

  /**
   * The optimizer's {@code state_dict()} of a {@code training-state-*.pt} file: {@code state}
   * (parameter index → {@code step}, {@code exp_avg}, {@code exp_avg_sq} as {@link TensorData}) and
   * {@code param_groups} (lr, betas, eps, ..., params), as unpickled.
   */
  public Optional<Map<?, ?>> optimizerState() {
    Object o = entries.get("optimizer_state");
    if (o != null && !(o instanceof Map)) {
      throw new IllegalArgumentException("'optimizer_state' in " + source + " is not a dict");
    }
    return Optional.ofNullable((Map<?, ?>) o);
  }

  /** The dataset constructor arguments recorded by the training loop; empty if absent. */
  public Map<String, Object> datasetKwargs() {
    Object d = entries.get("dataset_kwargs");
    if (d == null) {
      return Map.of();
    }
    if (!(d instanceof Map)) {
      throw new IllegalArgumentException("'dataset_kwargs' in " + source + " is not a dict");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    ((Map<?, ?>) d).forEach((k, v) -> out.put(String.valueOf(k), v));
    return Collections.unmodifiableMap(out);
  }

  private Optional<PersistentObject> object(String key) {
    Object o = entries.get(key);
    if (o == null) {
      return Optional.empty();
    }
    if (!(o instanceof PersistentObject)) {
      throw new IllegalArgumentException(
          "'"
              + key
              + "' in "
              + source
              + " is a "
              + o.getClass().getSimpleName()
              + ", not a persistent object of the reference code");
    }
    return Optional.of((PersistentObject) o);
  }
}
