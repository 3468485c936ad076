package dev.cdm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EngineDefaultsTest {
  private static final String AMD_AVX512 =
      "vendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse4_1 avx2 avx512f avx512bw\n";
  private static final String AMD_AVX2 = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse4_1 avx2\n";
  private static final String INTEL_AVX512 =
      "vendor_id\t: GenuineIntel\nflags\t\t: fpu sse4_1 avx2 avx512f avx512bw\n";

  @Test
  void capsOneDnnOnlyOnAmdProcessorsReportingAvx512() {
    assertEquals("SSE41", EngineDefaults.cpuIsaCap("auto", AMD_AVX512));
    assertEquals("SSE41", EngineDefaults.cpuIsaCap(null, AMD_AVX512));
    assertNull(EngineDefaults.cpuIsaCap("auto", AMD_AVX2));
    assertNull(EngineDefaults.cpuIsaCap("auto", INTEL_AVX512));
    assertNull(EngineDefaults.cpuIsaCap("auto", null));
  }

  @Test
  void userChoiceWins() {
    assertNull(EngineDefaults.cpuIsaCap("native", AMD_AVX512));
    assertEquals("AVX2", EngineDefaults.cpuIsaCap("avx2", INTEL_AVX512));
  }

  @Test
  void appliedBeforeTheEngineStartsWithoutAnyCall() throws Exception {
    Engine.getInstance(); // DJL instantiates the start-up hook before it loads libtorch
    var set = EngineDefaults.apply(); // already applied: returns what the hook set
    assertEquals("true", System.getProperty("ai.djl.offline"));
    assertEquals("true", System.getProperty("ai.djl.pytorch.cudnn_benchmark"));
    String cpuInfo = Files.readString(Path.of("/proc/cpuinfo"));
    if (System.getenv("ONEDNN_MAX_CPU_ISA") == null
        && System.getProperty("cdm.cpuIsa") == null
        && EngineDefaults.hasMiscomputingOneDnn(cpuInfo)) {
      assertEquals("SSE41", set.get("ONEDNN_MAX_CPU_ISA"));
    } else {
      assertFalse(
          set.containsKey("ONEDNN_MAX_CPU_ISA") && System.getenv("ONEDNN_MAX_CPU_ISA") != null);
    }
    assertTrue(Engine.getInstance().getEngineName().equals("PyTorch"));
  }
}
