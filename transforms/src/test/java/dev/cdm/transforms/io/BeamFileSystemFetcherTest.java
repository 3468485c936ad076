package dev.cdm.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.io.RemoteFetcher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeamFileSystemFetcherTest {
  @TempDir Path tmp;

  @Test
  void isRegisteredAndHandlesGsButNotHttp() {
    RemoteFetcher f =
        ServiceLoader.load(RemoteFetcher.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x instanceof BeamFileSystemFetcher)
            .findFirst()
            .orElseThrow();
    assertTrue(f.supports(URI.create("gs://bucket/network-snapshot.pkl")));
    assertFalse(f.supports(URI.create("https://example.org/x.pkl")));
    assertFalse(f.supports(URI.create("nosuchscheme://x/y")));
  }

  /** Beam's local file system stands in for GCS: the same FileSystems code path. */
  @Test
  void copiesAnObjectThroughBeamFileSystems() throws Exception {
    Path src = Files.writeString(tmp.resolve("src.pkl"), "bytes of a network");
    Path dst = tmp.resolve("dst");
    new BeamFileSystemFetcher().fetch(src.toUri(), dst);
    assertEquals("bytes of a network", Files.readString(dst));
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new BeamFileSystemFetcher()
                    .fetch(tmp.resolve("missing.pkl").toUri(), tmp.resolve("d2")));
    assertTrue(e.getMessage().contains("missing.pkl"), e.getMessage());
  }
}
