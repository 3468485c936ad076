package dev.cdm.transforms.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The slot-to-GPU mapping, with slots as threads and a pretend GPU count (no GPU needed). */
class WorkerDeviceTest {

  /** Starts {@code n} slot threads that each ask twice for their GPU and stay alive until released. */
  private static List<Thread> slots(int n, int gpus, AtomicIntegerArray got, CountDownLatch asked,
      CountDownLatch release) {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int slot = i;
      Thread t = new Thread(() -> {
        int first = WorkerDevice.slotGpu(gpus);
        int second = WorkerDevice.slotGpu(gpus); // e.g. the detector after the sampler
        got.set(slot, first == second ? first : -1);
        asked.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      t.start();
      threads.add(t);
    }
    return threads;
  }

  private static Set<Integer> run(int n, int gpus) throws Exception {
    AtomicIntegerArray got = new AtomicIntegerArray(n);
    CountDownLatch asked = new CountDownLatch(n);
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> threads = slots(n, gpus, got, asked, release);
    asked.await();
    release.countDown();
    for (Thread t : threads) {
      t.join();
    }
    Set<Integer> gpusUsed = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      assertEquals(true, got.get(i) >= 0, "slot " + i + " got two different GPUs");
      gpusUsed.add(got.get(i));
    }
    return gpusUsed;
  }

  @Test
  void oneGpuPerSlotWhenThereAreAsManySlotsAsGpus() throws Exception {
    assertEquals(Set.of(0, 1, 2, 3), run(4, 4));
  }

  @Test
  void finishedSlotsFreeTheirGpus() throws Exception {
    run(2, 2);
    // The two threads above have ended: two new slots again get both cards.
    assertEquals(Set.of(0, 1), run(2, 2));
  }

  @Test
  void moreSlotsThanGpusShareThemEvenly() throws Exception {
    AtomicIntegerArray got = new AtomicIntegerArray(4);
    CountDownLatch asked = new CountDownLatch(4);
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> threads = slots(4, 2, got, asked, release);
    asked.await();
    int[] perGpu = new int[2];
    for (int i = 0; i < 4; i++) {
      perGpu[got.get(i)]++;
    }
    release.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(2, perGpu[0]);
    assertEquals(2, perGpu[1]);
  }
}
