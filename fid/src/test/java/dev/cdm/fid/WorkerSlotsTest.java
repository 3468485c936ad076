package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/** The slot→device mapping, with slots as threads and GPU devices that need no GPU (never used). */
class WorkerSlotsTest {
  private static final List<Device> CARDS = List.of(Device.gpu(2), Device.gpu(3));

  /**
   * Runs {@code n} slot threads that each pick a device twice (the sampler's and the detector's
   * {@code @Setup}) and stay alive until all have picked; returns each thread's device, or null
   * when its two picks differed.
   */
  private static List<Device> slots(int n, List<Device> devices) throws Exception {
    AtomicReferenceArray<Device> got = new AtomicReferenceArray<>(n);
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int slot = i;
      CountDownLatch picked = new CountDownLatch(1);
      Thread t =
          new Thread(
              () -> {
                Device sampler = WorkerSlots.pick(devices);
                Device detector = WorkerSlots.pick(devices);
                got.set(slot, sampler.equals(detector) ? sampler : null);
                picked.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      t.start();
      threads.add(t);
      picked.await(); // one after the other, so that thread i takes slot i
    }
    release.countDown();
    for (Thread t : threads) {
      t.join();
    }
    List<Device> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(got.get(i));
    }
    return out;
  }

  @Test
  void eachSlotKeepsOneDeviceAndSlotsSpreadOverTheListedCards() throws Exception {
    assertEquals(
        List.of(Device.gpu(2), Device.gpu(3), Device.gpu(2), Device.gpu(3)), slots(4, CARDS));
  }

  @Test
  void oneSlotPerCardGivesEachSlotItsOwnCardAgainAfterARestart() throws Exception {
    List<Device> first = slots(2, CARDS);
    assertEquals(CARDS, first);
    // The threads above have ended (a failed job's tasks): new ones get the same numbers back.
    assertEquals(first, slots(2, CARDS));
  }

  @Test
  void theCpuAndASingleCardAreEverySlotsDevice() throws Exception {
    assertEquals(
        List.of(Device.cpu(), Device.cpu(), Device.cpu()), slots(3, List.of(Device.cpu())));
    assertEquals(List.of(Device.gpu(1), Device.gpu(1)), slots(2, List.of(Device.gpu(1))));
  }
}
