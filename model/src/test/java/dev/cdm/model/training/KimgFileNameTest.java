package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KimgFileNameTest {
  @Test
  void wholeAndDecimalNamesAreWrittenAndReadBack() {
    String whole = KimgFileName.format(KimgFileName.NETWORK, 500_999, false, ".pkl");
    assertEquals("network-snapshot-000500.pkl", whole);
    String decimal = KimgFileName.format(KimgFileName.NETWORK, 1500, true, ".safetensors");
    assertEquals("network-snapshot-000001.500.safetensors", decimal);
    assertEquals(500.0, KimgFileName.parse(whole).kimg());
    KimgFileName d = KimgFileName.parse(decimal);
    assertEquals(1.5, d.kimg());
    assertEquals("000001.500", d.kimgText());
    assertTrue(d.isNetworkSnapshot());
    KimgFileName state =
        KimgFileName.parse(KimgFileName.format(KimgFileName.STATE, 250, true, ".safetensors"));
    assertEquals(KimgFileName.STATE, state.prefix());
    assertEquals(0.25, state.kimg());
    assertFalse(state.isNetworkSnapshot());
    assertEquals(".pt", KimgFileName.parse("training-state-000200.pt").extension());
  }

  @Test
  void partialAndOtherNamesAreNotSnapshots() {
    assertNull(KimgFileName.parse("network-snapshot-000001.500.safetensors.part"));
    assertNull(KimgFileName.parse("network-snapshot-.pkl"));
    assertNull(KimgFileName.parse("network-snapshot-1.pkl.tmp"));
    assertNull(KimgFileName.parse("network-snapshot-000001.5x.pkl"));
    assertNull(KimgFileName.parse("edm-cifar10-32x32-cond-vp.pkl"));
  }

  @Test
  void wholeKimgStaysAnIntegerInJsonAndText() {
    assertEquals(4L, KimgFileName.jsonNumber(4.0));
    assertEquals(1.5, KimgFileName.jsonNumber(1.5));
    assertEquals("4", KimgFileName.text(4.0));
    assertEquals("0.25", KimgFileName.text(0.25));
    assertEquals("1.5", KimgFileName.text(1.500));
  }
}
