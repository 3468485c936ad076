package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything {@code --resume} needs to continue a run exactly (the reference's
 * {@code training-state-NNNNNN.pt} holds the net and the optimizer state; the EMA comes from the
 * matching snapshot). Ours is one safetensors file: {@code net.*}, {@code ema.*},
 * {@code adam.exp_avg.*}, {@code adam.exp_avg_sq.*} in full precision, and {@code progress} =
 * [cur_nimg, cur_tick, adam_step, seed]. The random streams are functions of (seed, step), so no
 * generator state is stored.
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
   * The seed a state was written with, read from the safetensors header and the 32-byte
   * {@code progress} entry only (a state of a large network is big).
   */
  public static long readSeed(Path path) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
      java.nio.ByteBuffer len = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      long n = len.getLong(0);
      if (n <= 0 || n > (1 << 26)) {
        throw new IOException("--resume: " + path + " is not a safetensors training state");
      }
      java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate((int) n);
      ch.read(head, 8);
      com.google.gson.JsonObject h = com.google.gson.JsonParser.parseString(
          new String(head.array(), java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
      if (!h.has("progress")) {
        throw new IOException("--resume: " + path + " has no 'progress' entry (not a training state)");
      }
      com.google.gson.JsonArray off = h.getAsJsonObject("progress").getAsJsonArray("data_offsets");
      java.nio.ByteBuffer v = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
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
      throw new IOException("--resume: cannot read training state " + path + ": " + e.getMessage(), e);
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
      throw new IOException("--resume: " + path + " is not a training state (no 'progress' or 'net.*' entries)");
    }
    return new TrainingState(progress[0], progress[1], progress[2], progress[3], net, ema, m, v);
  }
}
