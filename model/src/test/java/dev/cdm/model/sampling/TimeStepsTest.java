package dev.cdm.model.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The one EDM schedule: one range on the host, or one range per sample (the CDM loss's chains). */
class TimeStepsTest {
  @Test
  void edmScheduleRunsFromSigmaMaxToSigmaMinAndDecreases() {
    double[] t = TimeSteps.edm(0.002, 80, 7, 18);
    assertEquals(18, t.length);
    assertEquals(80, t[0], 1e-12);
    assertEquals(0.002, t[17], 1e-15);
    for (int i = 1; i < t.length; i++) {
      assertTrue(t[i] < t[i - 1], "t[" + i + "] = " + t[i] + " after " + t[i - 1]);
    }
    // rho = 1 is the linear schedule.
    assertArrayEquals(new double[] {3, 2, 1}, TimeSteps.edm(1, 3, 1, 3), 1e-12);
  }

  @Test
  void perSampleRangesGiveEachSampleItsOwnSchedule() {
    double[] lo = {0.002, 0.5, 1.7};
    double[] hi = {0.04, 2.0, 1.75};
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray rows =
          TimeSteps.edm(m.create(lo, new Shape(3, 1)), m.create(hi, new Shape(3, 1)), 7, 6);
      assertEquals(new Shape(3, 6), rows.getShape());
      for (int s = 0; s < 3; s++) {
        assertArrayEquals(
            TimeSteps.edm(lo[s], hi[s], 7, 6), rows.get(s).toDoubleArray(), 1e-13, "sample " + s);
      }
    }
  }
}
