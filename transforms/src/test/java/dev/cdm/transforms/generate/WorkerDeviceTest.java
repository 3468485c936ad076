package dev.cdm.transforms.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerDeviceTest {
  @Test
  void grammar() {
    assertNull(WorkerDevice.check("cpu"));
    assertEquals(List.of(), WorkerDevice.check("GPU"));
    assertEquals(List.of(1, 3), WorkerDevice.check("gpu:1,3"));
    assertEquals(List.of(2), WorkerDevice.check("gpu:2"));
    for (String bad : new String[] {"tpu", "gpu:", "gpu:a", "gpu:-1", "gpu:1,,2"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> WorkerDevice.check(bad));
      assertTrue(e.getMessage().startsWith("--device: expected cpu, gpu or gpu:i,j"), e.getMessage());
    }
    assertEquals(Device.cpu(), WorkerDevice.forSlot("cpu"));
  }
}
