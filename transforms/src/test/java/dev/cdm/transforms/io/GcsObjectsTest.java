package dev.cdm.transforms.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The conditional create of {@code gs://} results against the Cloud Storage client's own in-memory
 * fake (google-cloud-nio's {@code LocalStorageHelper}: no network, no real bucket). The fake checks
 * {@code ifGenerationMatch=0} as GCS does; that real GCS answers 412 the same way was not tried
 * from here.
 */
class GcsObjectsTest {
  @Test
  void aResultIsCreatedOnceThroughTheFileLayer() throws Exception {
    Storage storage = LocalStorageHelper.getOptions().getService();
    GcsObjects.useClient(storage);
    byte[] first = "0 0x1.8p1\n".getBytes(StandardCharsets.UTF_8);
    assertTrue(AtomicFiles.createOnce("gs://bucket/runs/fid.txt", first));
    assertFalse(
        AtomicFiles.createOnce(
            "gs://bucket/runs/fid.txt", "0 0x1.0p1\n".getBytes(StandardCharsets.UTF_8)),
        "a second attempt (a restarted job) leaves the first result");
    assertArrayEquals(first, storage.readAllBytes(BlobId.of("bucket", "runs/fid.txt")));
  }

  /** A local file (a training snapshot) is streamed into an object created once. */
  @Test
  void aFileIsUploadedOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    Storage storage = LocalStorageHelper.getOptions().getService();
    GcsObjects.useClient(storage);
    byte[] bytes = new byte[(3 << 20) + 17]; // more than one buffer of the upload
    new java.util.Random(1).nextBytes(bytes);
    java.nio.file.Path file = java.nio.file.Files.write(tmp.resolve("snapshot"), bytes);
    assertTrue(AtomicFiles.uploadOnce(file, "gs://bucket/run/network-snapshot-000000.safetensors"));
    java.nio.file.Files.write(file, new byte[] {1, 2, 3});
    assertFalse(
        AtomicFiles.uploadOnce(file, "gs://bucket/run/network-snapshot-000000.safetensors"));
    assertArrayEquals(
        bytes,
        storage.readAllBytes(BlobId.of("bucket", "run/network-snapshot-000000.safetensors")));
  }

  @Test
  void aLocationWithoutObjectNameIsNamedInTheError() {
    IOException e =
        assertThrows(IOException.class, () -> GcsObjects.createOnce("gs://bucket/", new byte[1]));
    assertTrue(e.getMessage().contains("expected gs://bucket/object"), e.getMessage());
  }
}
