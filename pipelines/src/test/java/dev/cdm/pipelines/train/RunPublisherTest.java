package dev.cdm.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.training.TrainingLoop;
import dev.cdm.transforms.io.MemFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher of a remote run directory driven as the training loop drives it, on mem:// (the
 * code path of gs://) with a slow link: uploads run behind the training in the training's order.
 */
class RunPublisherTest {
  private static final String BUCKET = "mem://publish-test/";
  private static final String SNAP = "network-snapshot-000000.safetensors";
  private static final String STATE = "training-state-000000.safetensors";

  @TempDir Path tmp;

  @AfterEach
  void clean() {
    MemFileSystem.setWriteDelay(BUCKET + "order/run/.network-snapshot-", 0);
    MemFileSystem.setWriteDelay(BUCKET + "order/run/.training-state-", 0);
    MemFileSystem.setReadOnly(BUCKET + "fail/run/.training-state-", false);
    MemFileSystem.clear(BUCKET);
  }

  @Test
  void uploadsRunBehindTheTrainingInItsOrderWithAtMostTwoCheckpointsWaiting() throws Exception {
    String remote = BUCKET + "order/run";
    Path staging = tmp.resolve("staging");
    List<String> notes = new ArrayList<>();
    RunPublisher p = new RunPublisher(remote, staging, notes::add);
    p.start();
    write(staging.resolve(RunPublisher.OPTIONS), "{}");
    append(staging.resolve(RunPublisher.LOG), "Loading dataset...\n");
    p.publish(RunPublisher.OPTIONS);
    p.publish(RunPublisher.LOG);
    p.flush();
    // A slow link for checkpoints: each one takes 800 ms to appear.
    MemFileSystem.setWriteDelay(remote + "/.network-snapshot-", 800);
    MemFileSystem.setWriteDelay(remote + "/.training-state-", 800);

    // Tick 0: snapshot, state, stats line; the training goes on while they upload.
    byte[] first = "first snapshot".getBytes(StandardCharsets.UTF_8);
    complete(p, staging.resolve(SNAP), first);
    complete(p, staging.resolve(STATE), "state".getBytes(StandardCharsets.UTF_8));
    append(staging.resolve(RunPublisher.STATS), "{\"tick\":0}\n");
    append(staging.resolve(RunPublisher.LOG), "tick 0\n");
    p.tickEnded(0);
    assertNull(MemFileSystem.get(remote + "/" + SNAP), "the training did not wait for the upload");
    assertEquals(2, pending(staging), "both checkpoints are kept locally until uploaded");

    // Tick 1 writes the same whole-kimg name again: a third checkpoint waits for room, that is
    // until the first one is uploaded.
    byte[] second = "second snapshot".getBytes(StandardCharsets.UTF_8);
    complete(p, staging.resolve(SNAP), second);
    assertTrue(
        published(remote).contains(SNAP),
        "the third checkpoint was handed over only after the first was uploaded: "
            + published(remote));
    assertTrue(pending(staging) <= 2, "at most two checkpoints wait: " + pending(staging));
    append(staging.resolve(RunPublisher.STATS), "{\"tick\":1}\n");
    append(staging.resolve(RunPublisher.LOG), "tick 1\n");
    p.tickEnded(1);

    complete(p, staging.resolve(TrainingLoop.DONE_MARKER), "{\"nimg\":16}\n".getBytes());
    // The done marker returns once everything before it is published.
    assertEquals(
        List.of(
            RunPublisher.OPTIONS,
            RunPublisher.LOG,
            SNAP,
            STATE,
            RunPublisher.STATS,
            RunPublisher.LOG,
            SNAP,
            RunPublisher.STATS,
            RunPublisher.LOG,
            RunPublisher.STATS,
            RunPublisher.LOG,
            TrainingLoop.DONE_MARKER),
        published(remote));
    p.finish();
    assertArrayEquals(second, MemFileSystem.get(remote + "/" + SNAP), "the last one stays");
    assertArrayEquals(
        Files.readAllBytes(staging.resolve(RunPublisher.STATS)),
        MemFileSystem.get(remote + "/" + RunPublisher.STATS));
    assertEquals(0, pending(staging));
    assertFalse(Files.exists(staging.resolve(SNAP)), "published checkpoints leave the staging");
    assertFalse(Files.exists(staging.resolve(STATE)));
    assertEquals(List.of(), notes);
  }

  @Test
  void aFailedUploadEndsTheTrainingAtItsNextCallAndKeepsTheCheckpoint() throws Exception {
    String remote = BUCKET + "fail/run";
    Path staging = tmp.resolve("staging");
    RunPublisher p = new RunPublisher(remote, staging, s -> {});
    p.start();
    write(staging.resolve(RunPublisher.OPTIONS), "{}");
    p.publish(RunPublisher.OPTIONS);
    p.flush();
    MemFileSystem.setReadOnly(remote + "/.training-state-", true);
    byte[] state = "state".getBytes(StandardCharsets.UTF_8);
    complete(p, staging.resolve(STATE), state); // handed over: fails on the upload thread
    append(staging.resolve(RunPublisher.STATS), "{\"tick\":0}\n");

    IOException e =
        assertThrows(
            IOException.class,
            () -> complete(p, staging.resolve(TrainingLoop.DONE_MARKER), "{}".getBytes()));
    assertTrue(
        e.getMessage()
            .matches(
                "--outdir: cannot write "
                    + remote
                    + "/"
                    + STATE
                    + " \\(.*\\.training-state-.*\\.tmp: permission denied\\)"),
        e.getMessage());
    assertThrows(IOException.class, () -> p.tickEnded(1), "every later call fails the same way");
    assertNull(MemFileSystem.get(remote + "/" + TrainingLoop.DONE_MARKER));
    assertNull(MemFileSystem.get(remote + "/" + STATE));
    p.discardIfEmpty();
    assertArrayEquals(state, Files.readAllBytes(staging.resolve(STATE)), "kept for --resume");
    assertEquals(0, pending(staging));
    assertEquals(List.of(), MemFileSystem.names(remote), "nothing worth keeping was published");
  }

  /** Writes {@code file} as the training loop does (part file, rename) and announces it. */
  private static void complete(RunPublisher p, Path file, byte[] data) throws IOException {
    Path part = file.resolveSibling(file.getFileName() + ".part");
    Files.write(part, data);
    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    p.fileCompleted(file);
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The names that appeared under {@code remote}, in order (temporary names left out). */
  private static List<String> published(String remote) {
    return MemFileSystem.writes(remote + "/").stream()
        .map(n -> n.substring(remote.length() + 1))
        .filter(n -> !n.startsWith("."))
        .collect(Collectors.toList());
  }

  /** Checkpoints in the staging folder waiting for their upload. */
  private static long pending(Path staging) throws IOException {
    try (Stream<Path> s = Files.list(staging)) {
      return s.filter(f -> f.getFileName().toString().startsWith(".upload-"))
          .filter(f -> f.getFileName().toString().endsWith(".safetensors"))
          .count();
    }
  }
}
