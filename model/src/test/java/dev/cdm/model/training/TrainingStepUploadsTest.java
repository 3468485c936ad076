package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.audit.HostUploads;
import dev.cdm.model.augment.AugmentPipe;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.loss.MartingaleLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training step, on every thread of the loop, makes arrays from host memory only for the batch
 * (pixels and labels, as the reference's {@code .to(device)}) and in the augmentation pipe (its
 * per-image parameters are drawn on the host); the network, the CDM loss, the gradient reduction,
 * the nan guard, Adam and EMA make none (see {@link HostUploads}: each would be a blocking upload
 * on a GPU).
 */
class TrainingStepUploadsTest {
  @TempDir Path tmp;

  @Test
  void onlyTheBatchAndTheAugmentParametersAreUploaded() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data =
            new TrainingSet(ImageArchive.open(TrainingLoopTest.mnist()), true, true, true, 2, 3)) {
      Path dir = tmp.resolve("run");
      Files.createDirectories(dir);
      TrainingOptions o =
          TrainingLoopTest.opts(dir)
              .batchSize(8)
              .totalKimg(0.008 * 3)
              .kimgPerTick(0.008)
              .snapshotTicks(null)
              .stateDumpTicks(null)
              .build();
      TrainingLoop loop =
          TrainingLoop.builder()
              .setOptions(o)
              .setData(data)
              .setNetworkFactory(TrainingLoopTest.tinyFactory(data, true))
              .setLoss(new MartingaleLoss(10, 2))
              .setAugmentation(AugmentPipe.training(0.12))
              .setDevices(List.of(Device.cpu(), Device.cpu()))
              .setRoot(m)
              .setLog(s -> {})
              .build();
      List<String> uploads =
          HostUploads.during(
              () -> {
                try {
                  loop.run();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              w -> w.startsWith("HostScalars.") || w.startsWith("AugmentPipe."),
              true);
      Set<String> sites = new TreeSet<>();
      for (String u : uploads) {
        String first = u.substring(u.indexOf(' ') + 1).split(" <- ")[0];
        sites.add(first.substring(0, first.indexOf(':')));
      }
      assertEquals(Set.of("TrainingSet$HostBatch.toDevice"), sites, String.join("\n", uploads));
    }
  }
}
