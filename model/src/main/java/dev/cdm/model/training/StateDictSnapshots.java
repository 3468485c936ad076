package dev.cdm.model.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Plain state-dict safetensors files (tensors by state_dict name, no config). */
public final class StateDictSnapshots {
  private StateDictSnapshots() {}

  /** Writes {@code tensors} to {@code path} as safetensors (CPU copies, names preserved). */
  public static void write(Path path, Map<String, NDArray> tensors) throws IOException {
    NDList list = new NDList();
    NDManager m = tensors.values().iterator().next().getManager();
    try (NDManager tmp = m.newSubManager(Device.cpu())) {
      for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
        NDArray a = e.getValue().toDevice(Device.cpu(), true);
        a.attach(tmp);
        a.setName(e.getKey());
        list.add(a);
      }
      try (OutputStream os = Files.newOutputStream(path)) {
        list.encode(os, NDList.Encoding.SAFETENSORS);
      }
    }
  }

  public static LinkedHashMap<String, NDArray> read(Path path, NDManager manager) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
      for (NDArray a : NDList.decode(manager, in)) {
        out.put(a.getName(), a);
      }
      return out;
    }
  }
}
