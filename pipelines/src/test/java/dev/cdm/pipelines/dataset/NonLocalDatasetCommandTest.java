package dev.cdm.pipelines.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.transforms.io.MemFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdm dataset} with {@code --source} and {@code --dest} on a non-local Beam file system
 * ({@code mem://}, the code paths of {@code gs://}): the same bytes as a local run.
 */
class NonLocalDatasetCommandTest {
  private static final String ROOT = "mem://dataset-bucket/";
  @TempDir Path tmp;

  @AfterEach
  void clear() {
    MemFileSystem.clear(ROOT);
  }

  private static void putTree(Path dir, String prefix) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        MemFileSystem.put(
            prefix + dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
  }

  @Test
  void mnistFromAndToANonLocalSchemeAsALocalRun() throws Exception {
    Path mnist = DatasetTestData.mnistDir();
    for (String f : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
      MemFileSystem.put(ROOT + "mnist/" + f, Files.readAllBytes(mnist.resolve(f)));
    }
    Path local = tmp.resolve("local.zip");
    Object[] a =
        DatasetTestData.runCommand(
            "--source=" + mnist.resolve("t10k-images-idx3-ubyte.gz"),
            "--dest=" + local,
            "--max-images=40");
    assertEquals(0, a[0], (String) a[1]);
    Object[] b =
        DatasetTestData.runCommand(
            "--source=" + ROOT + "mnist/t10k-images-idx3-ubyte.gz",
            "--dest=" + ROOT + "out/mnist.zip",
            "--max-images=40");
    assertEquals(0, b[0], (String) b[1]);
    // The same entries and pixels (the ZIPs' entry times differ).
    Path remote = Files.write(tmp.resolve("remote.zip"), MemFileSystem.get(ROOT + "out/mnist.zip"));
    DatasetTestData.Decoded want = DatasetTestData.decode(local);
    DatasetTestData.Decoded got = DatasetTestData.decode(remote);
    assertEquals(want.images.keySet(), got.images.keySet());
    for (String k : want.images.keySet()) {
      assertTrue(java.util.Arrays.equals(want.images.get(k).data(), got.images.get(k).data()), k);
    }
    assertEquals(want.datasetJson, got.datasetJson);
    assertEquals(List.of(ROOT + "out/mnist.zip"), MemFileSystem.names(ROOT + "out/"));
  }

  @Test
  void folderSourceToAFolderDestination() throws Exception {
    Path src =
        DatasetTestData.unzipResource("dataset/dataset-source-folder.zip", tmp.resolve("src"));
    putTree(src, ROOT + "src/");
    Path local = tmp.resolve("local");
    Object[] a =
        DatasetTestData.runCommand(
            "--source=" + src, "--dest=" + local, "--transform=center-crop", "--resolution=16x16");
    assertEquals(0, a[0], (String) a[1]);
    Object[] b =
        DatasetTestData.runCommand(
            "--source=" + ROOT + "src",
            "--dest=" + ROOT + "out/folder",
            "--transform=center-crop",
            "--resolution=16x16");
    assertEquals(0, b[0], (String) b[1]);
    List<String> want;
    try (Stream<Path> s = Files.walk(local)) {
      want =
          s.filter(Files::isRegularFile).map(p -> local.relativize(p).toString()).sorted().toList();
    }
    List<String> got =
        MemFileSystem.names(ROOT + "out/folder/").stream()
            .map(n -> n.substring((ROOT + "out/folder/").length()))
            .toList();
    assertEquals(want, got);
    for (String n : want) {
      assertTrue(
          java.util.Arrays.equals(
              Files.readAllBytes(local.resolve(n)), MemFileSystem.get(ROOT + "out/folder/" + n)),
          n);
    }
  }
}
