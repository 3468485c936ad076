package dev.cdm.fid;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The worker slot of the calling thread, and so its device: the slot→GPU mapping of the generation
 * and evaluation DoFns.
 *
 * <p>A slot is the thread that runs a task: a Flink task slot runs its chain of operators (e.g. the
 * sampler, then the detector of a streaming FID) in one thread; a DirectRunner worker is one thread
 * of its pool. The first time a thread asks (a DoFn's {@code @Setup}), it gets the lowest slot
 * number that no other live thread of this JVM holds, and keeps it for its life; a finished
 * thread's number is free again (a restarted job's tasks take the numbers back). Slot {@code s}
 * runs on device {@code s mod n} of the {@code n} devices that {@code --device} lists, so:
 *
 * <ul>
 *   <li>with one slot per GPU ({@code taskmanager.numberOfTaskSlots} = GPUs) each slot has its own
 *       card, and slot numbers, hence cards, are the same in every run;
 *   <li>the sampler and the detector of one slot share that card;
 *   <li>{@code --device=gpu:2,3} spreads slots over cards 2 and 3 only; more slots than cards share
 *       them evenly.
 * </ul>
 */
public final class WorkerSlots {
  /** The slot held by each live thread that asked. */
  private static final Map<Thread, Integer> HELD = new WeakHashMap<>();

  private WorkerSlots() {}

  /** The calling thread's slot number (see the class comment). */
  public static synchronized int current() {
    Thread self = Thread.currentThread();
    Integer held = HELD.get(self);
    if (held != null) {
      return held;
    }
    HELD.keySet().removeIf(t -> !t.isAlive());
    int slot = 0;
    while (HELD.containsValue(slot)) {
      slot++;
    }
    HELD.put(self, slot);
    return slot;
  }

  /** The calling thread's entry of {@code devices}: {@code devices[slot mod size]}. */
  public static <T> T pick(List<T> devices) {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("no devices to choose from");
    }
    return devices.get(current() % devices.size());
  }
}
