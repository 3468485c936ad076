package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicesTest {
  @Test
  void theGrammarIsCheckedWithoutTheEngine() {
    assertEquals("auto", Devices.check(null, "--device"));
    assertEquals("gpu:0,1", Devices.check("GPU:0, 1", "--device"));
    for (String bad : new String[] {"tpu", "gpu2", "cuda", "gpu:", "gpu:a", "2"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Devices.check(bad, "--device"), bad);
      assertTrue(
          e.getMessage().startsWith("--device=" + bad + ": expected auto, cpu, gpu"),
          e.getMessage());
    }
  }

  @Test
  void resolvesAgainstTheHostsGpus() {
    int gpus = Engine.getInstance().getGpuCount();
    assertEquals(List.of(Device.cpu()), Devices.resolve("cpu", "--device"));
    assertEquals(gpus == 0 ? Device.cpu() : Device.gpu(0), Devices.parse("auto", "--device"));
    assertEquals(Math.max(gpus, 1), Devices.resolve("auto", "--device").size());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Devices.resolve("gpu:" + gpus, "--device"));
    assertTrue(e.getMessage().contains("GPU " + gpus + " does not exist"), e.getMessage());
    if (gpus == 0) {
      e = assertThrows(IllegalArgumentException.class, () -> Devices.resolve("gpu", "--device"));
      assertTrue(e.getMessage().startsWith("--device=gpu: no GPU visible"), e.getMessage());
    } else {
      assertEquals(Device.gpu(0), Devices.parse("gpu", "--device"));
    }
  }
}
