package dev.cdm.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The engine's start-up settings, in one place, applied before libtorch is loaded by every entry
 * point: the {@code cdm} command line, Beam workers on a cluster, benchmarks, and any Java program
 * that uses the modules. {@link StartupHook} applies them when DJL first looks for its engines, so
 * nobody has to remember to call {@link #apply()}; calling it again does nothing.
 *
 * <p>What is set, each only where the user has not set it already:
 *
 * <ul>
 *   <li>{@code ai.djl.offline=true}: nothing is downloaded at run time.
 *   <li>{@code ai.djl.pytorch.cudnn_benchmark=true}: cuDNN autotuning, as the reference's training
 *       loop sets it (a Java training step without it measured 0.78x the reference on an H200).
 *   <li>{@code NVIDIA_TF32_OVERRIDE=0}: TF32 off, as the reference sets it, unless {@code
 *       -Dcdm.tf32=true} ({@code --tf32}).
 *   <li>{@code PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True} when exactly one GPU is visible
 *       (lower peak memory at the same speed; with two GPUs in one process it ended in "illegal
 *       memory access" on a 2x H100 run, so it stays off there).
 *   <li>{@code ONEDNN_MAX_CPU_ISA}, see {@link #cpuIsaCap}: the Maven CPU libtorch's oneDNN 3.7.1
 *       computes convolutions wrongly on AMD processors that report AVX-512 (a 3x3 convolution with
 *       24 input channels depends on the other images of its batch, by 1.3-1.7 on outputs of about
 *       6, and sometimes returns NaN; capped at AVX2 some training gradients are still NaN now and
 *       then). Capped at SSE4.1 every convolution, FID statistic and training test is right. {@code
 *       -Dcdm.cpuIsa=native} (or {@code CDM_CPU_ISA=native}) keeps oneDNN's own choice; any other
 *       value is passed to oneDNN as the cap.
 * </ul>
 *
 * <p>Environment variables are set with libc's {@code setenv} (through JNA), which libtorch,
 * oneDNN, cuBLAS and the CUDA allocator read when they first need them, after this runs.
 */
public final class EngineDefaults {
  private static final String CPU_ISA_PROPERTY = "cdm.cpuIsa";
  private static final String CPU_ISA_ENV = "CDM_CPU_ISA";
  private static volatile Map<String, String> applied;

  private EngineDefaults() {}

  /** Applies the defaults once; returns what this process set (name to value). */
  public static synchronized Map<String, String> apply() {
    if (applied != null) {
      return applied;
    }
    Map<String, String> set = new LinkedHashMap<>();
    defaultProperty("ai.djl.offline", "true", set);
    defaultProperty("ai.djl.pytorch.cudnn_benchmark", "true", set);
    if (!Boolean.getBoolean("cdm.tf32")) {
      defaultEnv("NVIDIA_TF32_OVERRIDE", "0", set);
    }
    if (visibleGpus() == 1) {
      defaultEnv("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True", set);
    }
    String isa = cpuIsaCap(requestedCpuIsa(), cpuInfo());
    if (isa != null) {
      defaultEnv("ONEDNN_MAX_CPU_ISA", isa, set);
    }
    applied = Map.copyOf(set);
    return applied;
  }

  /**
   * The oneDNN instruction-set cap for {@code requested} ({@code auto}, {@code native} or an ISA
   * name) on a processor whose {@code /proc/cpuinfo} is {@code cpuInfo}; null for no cap.
   */
  static String cpuIsaCap(String requested, String cpuInfo) {
    String r = requested == null ? "auto" : requested.trim();
    if (r.equalsIgnoreCase("native")) {
      return null;
    }
    if (!r.equalsIgnoreCase("auto")) {
      return r.toUpperCase(Locale.ROOT);
    }
    return hasMiscomputingOneDnn(cpuInfo) ? "SSE41" : null;
  }

  /**
   * An AMD processor that reports AVX-512: where oneDNN 3.7.1's AVX-512/AVX2 kernels miscompute.
   */
  static boolean hasMiscomputingOneDnn(String cpuInfo) {
    if (cpuInfo == null) {
      return false;
    }
    boolean amd = cpuInfo.contains("AuthenticAMD");
    boolean avx512 =
        cpuInfo
            .lines()
            .filter(l -> l.startsWith("flags"))
            .findFirst()
            .map(l -> List.of(l.split("\\s+")).contains("avx512f"))
            .orElse(false);
    return amd && avx512;
  }

  private static String requestedCpuIsa() {
    String p = System.getProperty(CPU_ISA_PROPERTY);
    return p != null ? p : System.getenv(CPU_ISA_ENV);
  }

  private static String cpuInfo() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** GPUs this process can see: CUDA_VISIBLE_DEVICES if set, else the /dev/nvidiaN devices. */
  static int visibleGpus() {
    String visible = System.getenv("CUDA_VISIBLE_DEVICES");
    if (visible != null) {
      return visible.isBlank() ? 0 : visible.split(",").length;
    }
    try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
      return (int) dev.filter(p -> p.getFileName().toString().matches("nvidia\\d+")).count();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void defaultProperty(String name, String value, Map<String, String> set) {
    if (System.getProperty(name) == null) {
      System.setProperty(name, value);
      set.put(name, value);
    }
  }

  private static void defaultEnv(String name, String value, Map<String, String> set) {
    if (System.getenv(name) != null) {
      return;
    }
    try {
      if (LibC.INSTANCE.setenv(name, value, 0) == 0) {
        set.put(name, value);
      }
    } catch (LinkageError | RuntimeException e) {
      System.err.println(
          "cdm: could not set " + name + "=" + value + " (" + e + "); set it in the environment");
    }
  }

  /** The one libc call used. */
  private interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int setenv(String name, String value, int overwrite);
  }
}
