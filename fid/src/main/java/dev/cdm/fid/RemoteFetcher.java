package dev.cdm.fid;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Copies a remote object (e.g. {@code gs://bucket/key}) to a local file. Implementations are
 * found with {@link java.util.ServiceLoader}, so storage clients stay out of this module
 * ({@code transforms/} provides the Google Cloud Storage one).
 */
public interface RemoteFetcher {
  /** True for the URI schemes this fetcher handles. */
  boolean handles(URI uri);

  /** Writes the object's bytes to {@code dest} (a temporary file the caller renames). */
  void fetch(URI uri, Path dest) throws IOException;
}
