package dev.cdm.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

class ClassAccuracyTest {
  @Test
  void overallAndPerClassFractionsOfRecognisedSamples() {
    // class 0: 2 of 3 right, class 2: 1 of 1, class 7: 0 of 2; no sample of the other classes.
    Map<String, Double> a =
        ClassAccuracy.accuracies(
            List.of(KV.of(0, 1), KV.of(0, 0), KV.of(0, 1), KV.of(2, 1), KV.of(7, 0), KV.of(7, 0)));
    assertEquals(
        Map.of(
            "class_accuracy",
            0.5,
            "class_accuracy/0",
            2 / 3.0,
            "class_accuracy/2",
            1.0,
            "class_accuracy/7",
            0.0),
        a);
  }

  @Test
  void noLabelledSamplesNoMetric() {
    assertEquals(Map.of(), ClassAccuracy.accuracies(List.of()));
  }
}
