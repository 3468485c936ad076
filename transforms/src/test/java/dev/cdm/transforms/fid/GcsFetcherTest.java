package dev.cdm.transforms.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gs:// fetcher against the Cloud Storage client's own in-memory fake (no network, no real
 * bucket): what it asks the client for, what it writes, and its errors.
 */
class GcsFetcherTest {
  private final Storage storage = LocalStorageHelper.getOptions().getService();
  private final GcsFetcher fetcher = new GcsFetcher(() -> storage);

  @Test
  void fetchesTheObjectToTheLocalFile(@TempDir Path tmp) throws Exception {
    byte[] data = new byte[100_000];
    new java.util.Random(1).nextBytes(data);
    storage.create(BlobInfo.newBuilder(BlobId.of("bucket", "stats/ref.npz")).build(), data);
    assertTrue(fetcher.handles(URI.create("gs://bucket/stats/ref.npz")));
    assertFalse(fetcher.handles(URI.create("https://bucket/stats/ref.npz")));
    Path dest = tmp.resolve("ref.npz");
    fetcher.fetch(URI.create("gs://bucket/stats/ref.npz"), dest);
    assertArrayEquals(data, Files.readAllBytes(dest));
  }

  @Test
  void aMissingObjectOrBucketlessUriNamesTheUri(@TempDir Path tmp) {
    IOException missing = assertThrows(IOException.class,
        () -> fetcher.fetch(URI.create("gs://bucket/none.npz"), tmp.resolve("x")));
    assertTrue(missing.getMessage().startsWith("gs://bucket/none.npz"), missing.getMessage());
    IOException noObject = assertThrows(IOException.class,
        () -> fetcher.fetch(URI.create("gs://bucket/"), tmp.resolve("y")));
    assertTrue(noObject.getMessage().contains("expected gs://bucket/object"), noObject.getMessage());
  }
}
