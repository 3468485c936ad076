package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.io.PickledObject;
import dev.cdm.model.io.ReferenceCheckpoint;
import dev.cdm.model.io.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything {@code --resume} needs to continue a run exactly (the reference's {@code
 * training-state-NNNNNN.pt} holds the net and the optimizer state; the EMA comes from the matching
 * snapshot). Ours is one safetensors file: {@code net.*}, {@code ema.*}, {@code adam.exp_avg.*},
 * {@code adam.exp_avg_sq.*} in full precision, and {@code progress} = [cur_nimg, cur_tick,
 * adam_step, seed]. The random streams are functions of (seed, step), so no generator state is
 * stored. {@link #loadReference} reads the reference's own state files.
 */
public record TrainingState(
    long curNimg,
    long curTick,
    long adamStep,
    long seed,
    Map<String, NDArray> net,
    Map<String, NDArray> ema,
    Map<String, NDArray> expAvg,
    Map<String, NDArray> expAvgSq) {

  /** Writes to a temporary name beside {@code path} and renames it into place. */
  public void save(Path path) throws IOException {
    NDList list = new NDList();
    NDManager m = net.values().iterator().next().getManager();
    try (NDManager tmp = m.newSubManager()) {
      NDArray progress = tmp.create(new long[] {curNimg, curTick, adamStep, seed});
      progress.setName("progress");
      list.add(progress);
      add(list, "net.", net, tmp);
      add(list, "ema.", ema, tmp);
      add(list, "adam.exp_avg.", expAvg, tmp);
      add(list, "adam.exp_avg_sq.", expAvgSq, tmp);
      Path part = path.resolveSibling(path.getFileName() + ".part");
      try (OutputStream os = Files.newOutputStream(part)) {
        list.encode(os, NDList.Encoding.SAFETENSORS);
      }
      Files.move(part, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void add(NDList list, String prefix, Map<String, NDArray> arrays, NDManager tmp) {
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      NDArray a = e.getValue().toDevice(ai.djl.Device.cpu(), true);
      a.attach(tmp);
      a.setName(prefix + e.getKey());
      list.add(a);
    }
  }

  /**
   * The seed a state was written with, read from the safetensors header and the 32-byte {@code
   * progress} entry only (a state of a large network is big).
   */
  public static long readSeed(Path path) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
      java.nio.ByteBuffer len =
          java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      long n = len.getLong(0);
      if (n <= 0 || n > (1 << 26)) {
        throw new IOException("--resume: " + path + " is not a safetensors training state");
      }
      java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate((int) n);
      ch.read(head, 8);
      com.google.gson.JsonObject h =
          com.google.gson.JsonParser.parseString(
                  new String(head.array(), java.nio.charset.StandardCharsets.UTF_8))
              .getAsJsonObject();
      if (!h.has("progress")) {
        throw new IOException(
            "--resume: " + path + " has no 'progress' entry (not a training state)");
      }
      com.google.gson.JsonArray off = h.getAsJsonObject("progress").getAsJsonArray("data_offsets");
      java.nio.ByteBuffer v =
          java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      ch.read(v, 8 + n + off.get(0).getAsLong());
      return v.getLong(24);
    }
  }

  /** Reads a state written by {@link #save}; an error names the file and what is missing. */
  public static TrainingState load(Path path, NDManager manager) throws IOException {
    NDList list;
    try (InputStream in = Files.newInputStream(path)) {
      list = NDList.decode(manager, in);
    } catch (RuntimeException e) {
      throw new IOException(
          "--resume: cannot read training state " + path + ": " + e.getMessage(), e);
    }
    Map<String, NDArray> net = new LinkedHashMap<>();
    Map<String, NDArray> ema = new LinkedHashMap<>();
    Map<String, NDArray> m = new LinkedHashMap<>();
    Map<String, NDArray> v = new LinkedHashMap<>();
    long[] progress = null;
    for (NDArray a : list) {
      String name = a.getName();
      if ("progress".equals(name)) {
        progress = a.toLongArray();
      } else if (name.startsWith("net.")) {
        net.put(name.substring(4), a);
      } else if (name.startsWith("ema.")) {
        ema.put(name.substring(4), a);
      } else if (name.startsWith("adam.exp_avg_sq.")) {
        v.put(name.substring("adam.exp_avg_sq.".length()), a);
      } else if (name.startsWith("adam.exp_avg.")) {
        m.put(name.substring("adam.exp_avg.".length()), a);
      }
    }
    if (progress == null || net.isEmpty()) {
      throw new IOException(
          "--resume: " + path + " is not a training state (no 'progress' or 'net.*' entries)");
    }
    return new TrainingState(progress[0], progress[1], progress[2], progress[3], net, ema, m, v);
  }

  /**
   * A state of the reference's training loop: {@code training-state-NNNNNN.pt} ({@code
   * torch.save(dict(net=net, optimizer_state=optimizer.state_dict()))}) read through the safe
   * pickle reader, with the EMA taken from {@code network-snapshot-NNNNNN.pkl} beside it, as the
   * reference's {@code train.py} pairs them (its state has no EMA). As in the reference, progress
   * restarts at NNNNNN kimg ({@code cur_nimg = kimg * 1000}, {@code cur_tick = kimg //
   * kimg_per_tick}); the reference stores no seed, so the state gets this run's {@code seed}.
   * Adam's moments map to parameters through the optimizer's indices, which follow {@code
   * net.parameters()} order.
   */
  public static TrainingState loadReference(
      Path pt, double kimgPerTick, long seed, NDManager manager) throws IOException {
    Matcher match =
        Pattern.compile("training-state-(\\d+)\\.pt").matcher(pt.getFileName().toString());
    if (!match.matches()) {
      throw new IOException("--resume: " + pt + " is not named training-state-NNNNNN.pt");
    }
    long kimg = Long.parseLong(match.group(1));
    Path pkl = pt.resolveSibling("network-snapshot-" + match.group(1) + ".pkl");
    if (!Files.isRegularFile(pkl)) {
      throw new IOException(
          "--resume: the EMA of " + pt + " is read from " + pkl + ", which is missing");
    }
    ReferenceCheckpoint state = ReferenceCheckpoint.read(pt);
    PickledObject net =
        state
            .net()
            .orElseThrow(
                () ->
                    new IOException(
                        "--resume: "
                            + pt
                            + " has no 'net' (keys: "
                            + state.entries().keySet()
                            + ")"));
    Map<?, ?> optimizer =
        state
            .optimizerState()
            .orElseThrow(
                () ->
                    new IOException(
                        "--resume: "
                            + pt
                            + " has no 'optimizer_state' (keys: "
                            + state.entries().keySet()
                            + ")"));
    LinkedHashMap<String, TensorData> params = net.namedParameters();
    Map<String, NDArray> netArrays = arrays(params, manager);
    Map<String, NDArray> ema =
        arrays(ReferenceCheckpoint.read(pkl).ema().namedParameters(), manager);

    List<Object> ids = new ArrayList<>();
    if (optimizer.get("param_groups") instanceof List) {
      for (Object g : (List<?>) optimizer.get("param_groups")) {
        if (g instanceof Map && ((Map<?, ?>) g).get("params") instanceof List) {
          ids.addAll((List<?>) ((Map<?, ?>) g).get("params"));
        }
      }
    }
    List<String> names = new ArrayList<>(params.keySet());
    if (ids.size() != names.size()) {
      throw new IOException(
          "--resume: optimizer_state of "
              + pt
              + " lists "
              + ids.size()
              + " parameters, but its net has "
              + names.size());
    }
    Map<?, ?> perParam =
        optimizer.get("state") instanceof Map ? (Map<?, ?>) optimizer.get("state") : Map.of();
    Map<String, NDArray> m = new LinkedHashMap<>();
    Map<String, NDArray> v = new LinkedHashMap<>();
    long step = 0;
    for (int i = 0; i < ids.size(); i++) {
      Object entry = perParam.get(ids.get(i));
      if (!(entry instanceof Map)) {
        continue; // torch keeps no state for a parameter before its first step
      }
      Map<?, ?> st = (Map<?, ?>) entry;
      Object expAvg = st.get("exp_avg");
      Object expAvgSq = st.get("exp_avg_sq");
      if (!(expAvg instanceof TensorData) || !(expAvgSq instanceof TensorData)) {
        throw new IOException(
            "--resume: optimizer_state of "
                + pt
                + " has no exp_avg/exp_avg_sq for "
                + names.get(i)
                + " (not Adam?)");
      }
      long s = stepOf(st.get("step"), pt, names.get(i));
      if (!m.isEmpty() && s != step) {
        throw new IOException(
            "--resume: optimizer_state of "
                + pt
                + " has step "
                + s
                + " for "
                + names.get(i)
                + " but "
                + step
                + " for "
                + names.get(0));
      }
      step = s;
      m.put(names.get(i), float32((TensorData) expAvg, manager));
      v.put(names.get(i), float32((TensorData) expAvgSq, manager));
    }
    if (!m.isEmpty() && m.size() != names.size()) {
      throw new IOException(
          "--resume: optimizer_state of "
              + pt
              + " has moments for "
              + m.size()
              + " of "
              + names.size()
              + " parameters");
    }
    long tick = (long) Math.floor(kimg / kimgPerTick + 1e-9);
    return new TrainingState(kimg * 1000, tick, m.isEmpty() ? 0 : step, seed, netArrays, ema, m, v);
  }

  private static long stepOf(Object step, Path pt, String name) throws IOException {
    if (step instanceof Number) {
      return ((Number) step).longValue();
    }
    if (step instanceof TensorData && ((TensorData) step).numel() == 1) {
      return (long) ((TensorData) step).toFloatArray()[0]; // torch >= 1.12: a float32 scalar tensor
    }
    throw new IOException("--resume: optimizer_state of " + pt + " has no step count for " + name);
  }

  private static Map<String, NDArray> arrays(Map<String, TensorData> tensors, NDManager manager) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    tensors.forEach((k, t) -> out.put(k, float32(t, manager)));
    return out;
  }

  private static NDArray float32(TensorData t, NDManager manager) {
    NDArray a = t.toNDArray(manager);
    return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
  }
}
