package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DevicesTest {
  @Test
  void parsesCommandLineNames() {
    assertEquals(Device.cpu(), Devices.parse("cpu", "--device"));
    assertEquals(Device.gpu(0), Devices.parse("gpu", "--device"));
    assertEquals(Device.gpu(3), Devices.parse("gpu:3", "--device"));
    assertEquals(Device.gpu(2), Devices.parse("GPU2", "--device"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Devices.parse("tpu", "--device"));
    assertTrue(e.getMessage().contains("--device=tpu"), e.getMessage());
  }
}
