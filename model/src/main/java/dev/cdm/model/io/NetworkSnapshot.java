package dev.cdm.model.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Our own network snapshot: one {@code .safetensors} file holding the network's state dict (torch
 * names, e.g. {@code model.enc.16x16_conv.weight}) and, under the metadata key {@value
 * #CONFIG_KEY}, a JSON config:
 *
 * <pre>{"format": "cdm-snapshot", "version": 1, "class_name": "EDMPrecond",
 * "init_args": [], "init_kwargs": {...}, "loss_fn": {"class_name", "init_args", "init_kwargs"} | null,
 * "augment_pipe": {...} | null, "dataset_kwargs": {...} | null, "extra": {...}}</pre>
 *
 * Tensors round-trip bit for bit and config values keep their types (int vs float); tuples become
 * lists. Files are written atomically and read by mapping (no copy, one pass over the header).
 */
public final class NetworkSnapshot {
  public static final String CONFIG_KEY = "cdm.config";
  public static final String FORMAT = "cdm-snapshot";
  public static final long VERSION = 1;

  private final ObjectConfig network;
  private final LinkedHashMap<String, TensorData> stateDict;
  private final ObjectConfig lossFn;
  private final ObjectConfig augmentPipe;
  private final Map<String, Object> datasetKwargs;
  private final Map<String, Object> extra;

  private NetworkSnapshot(
      ObjectConfig network,
      Map<String, TensorData> stateDict,
      ObjectConfig lossFn,
      ObjectConfig augmentPipe,
      Map<String, Object> datasetKwargs,
      Map<String, Object> extra) {
    this.network = network;
    this.stateDict = new LinkedHashMap<>(stateDict);
    this.lossFn = lossFn;
    this.augmentPipe = augmentPipe;
    this.datasetKwargs =
        datasetKwargs == null
            ? null
            : Collections.unmodifiableMap(new LinkedHashMap<>(datasetKwargs));
    this.extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
  }

  /**
   * A snapshot of a network and its training settings.
   *
   * @param lossFn, augmentPipe, datasetKwargs may be {@code null}
   * @param extra further JSON-able settings to keep (e.g. training progress); may be empty
   */
  public static NetworkSnapshot of(
      ObjectConfig network,
      Map<String, TensorData> stateDict,
      ObjectConfig lossFn,
      ObjectConfig augmentPipe,
      Map<String, Object> datasetKwargs,
      Map<String, Object> extra) {
    return new NetworkSnapshot(network, stateDict, lossFn, augmentPipe, datasetKwargs, extra);
  }

  /**
   * The {@code ema} (else {@code net}) network of a reference checkpoint, with its loss, augment
   * pipe and dataset settings.
   */
  public static NetworkSnapshot fromReference(ReferenceCheckpoint c) {
    PersistentObject net = c.network();
    if (!net.hasInitArgs()) {
      throw new IllegalArgumentException(
          "network in " + c.source() + " has no recorded constructor arguments");
    }
    return new NetworkSnapshot(
        ObjectConfig.of(net),
        net.stateDict(),
        c.lossFn().map(ObjectConfig::of).orElse(null),
        c.augmentPipe().map(ObjectConfig::of).orElse(null),
        c.entries().get("dataset_kwargs") == null ? null : c.datasetKwargs(),
        Map.of());
  }

  public ObjectConfig network() {
    return network;
  }

  public String className() {
    return network.className();
  }

  public Map<String, Object> initKwargs() {
    return network.initKwargs();
  }

  /** The network's tensors, named and ordered as torch's {@code state_dict()}. */
  public Map<String, TensorData> stateDict() {
    return Collections.unmodifiableMap(stateDict);
  }

  public Optional<ObjectConfig> lossFn() {
    return Optional.ofNullable(lossFn);
  }

  public Optional<ObjectConfig> augmentPipe() {
    return Optional.ofNullable(augmentPipe);
  }

  /** The dataset settings; empty if none were recorded. */
  public Map<String, Object> datasetKwargs() {
    return datasetKwargs == null ? Map.of() : datasetKwargs;
  }

  public Map<String, Object> extra() {
    return extra;
  }

  /** The config as it is stored under {@value #CONFIG_KEY}. */
  public Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("format", FORMAT);
    c.put("version", VERSION);
    c.putAll(network.toMap());
    c.put("loss_fn", lossFn == null ? null : lossFn.toMap());
    c.put("augment_pipe", augmentPipe == null ? null : augmentPipe.toMap());
    c.put("dataset_kwargs", datasetKwargs);
    c.put("extra", extra);
    return c;
  }

  /** Writes the snapshot atomically (temporary file, then rename). */
  public void write(Path path) throws IOException {
    Map<String, String> md = new LinkedHashMap<>();
    md.put("format", "pt"); // lets Python's safetensors.torch load the tensors directly
    md.put(CONFIG_KEY, JsonValues.write(config()));
    SafetensorsFile.write(path, stateDict, md);
  }

  /**
   * Reads a network from either format: our snapshot ({@code .safetensors} with {@value
   * #CONFIG_KEY}) or a reference checkpoint ({@code .pkl}, {@code torch.save} file), converted with
   * {@link #fromReference}. The format is recognised from the file's first bytes, not its name.
   */
  public static NetworkSnapshot load(Path path) throws IOException {
    if (isSafetensors(path)) {
      return read(path);
    }
    return fromReference(ReferenceCheckpoint.read(path));
  }

  /**
   * {@link #load(Path)} for a path or URL ({@code http(s)://}, {@code gs://}; see {@link Sources}).
   */
  public static NetworkSnapshot load(String pathOrUrl) throws IOException {
    return load(Sources.open(pathOrUrl));
  }

  /** A safetensors file starts with a plausible header length followed by '{'. */
  static boolean isSafetensors(Path path) throws IOException {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
      byte[] head = in.readNBytes(9);
      if (head.length < 9 || head[8] != '{') {
        return false;
      }
      long n =
          java.nio.ByteBuffer.wrap(head, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
      return n > 0 && n <= java.nio.file.Files.size(path) - 8;
    }
  }

  /** Reads a snapshot written by {@link #write}; errors name the file and the offending entry. */
  public static NetworkSnapshot read(Path path) throws IOException {
    SafetensorsFile f = SafetensorsFile.read(path);
    String json = f.metadata().get(CONFIG_KEY);
    if (json == null) {
      throw new IOException(
          path
              + " is a safetensors file without the "
              + CONFIG_KEY
              + " metadata of a cdm snapshot");
    }
    Object parsed;
    try {
      parsed = JsonValues.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "invalid " + CONFIG_KEY + " JSON in " + path + ": " + e.getMessage(), e);
    }
    if (!(parsed instanceof Map)) {
      throw new IOException(CONFIG_KEY + " in " + path + " is not a JSON object");
    }
    Map<?, ?> c = (Map<?, ?>) parsed;
    if (!FORMAT.equals(c.get("format"))) {
      throw new IOException(
          CONFIG_KEY + " in " + path + " has format " + c.get("format") + ", expected " + FORMAT);
    }
    if (!(c.get("version") instanceof Long) || (Long) c.get("version") > VERSION) {
      throw new IOException(
          CONFIG_KEY
              + " in "
              + path
              + " has version "
              + c.get("version")
              + "; this reader knows up to "
              + VERSION);
    }
    try {
      ObjectConfig network = ObjectConfig.fromMap(c, CONFIG_KEY + " in " + path);
      ObjectConfig loss = ObjectConfig.fromMap(c.get("loss_fn"), "loss_fn in " + path);
      ObjectConfig aug = ObjectConfig.fromMap(c.get("augment_pipe"), "augment_pipe in " + path);
      Object ds = c.get("dataset_kwargs");
      if (ds != null && !(ds instanceof Map)) {
        throw new IllegalArgumentException("dataset_kwargs in " + path + " is not an object");
      }
      Object extra = c.get("extra");
      @SuppressWarnings("unchecked")
      Map<String, Object> dsMap = (Map<String, Object>) ds;
      @SuppressWarnings("unchecked")
      Map<String, Object> extraMap = extra instanceof Map ? (Map<String, Object>) extra : Map.of();
      return new NetworkSnapshot(network, f.tensors(), loss, aug, dsMap, extraMap);
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid cdm snapshot " + path + ": " + e.getMessage(), e);
    }
  }
}
