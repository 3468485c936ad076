package dev.cdm.model.io;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Downloads objects from a remote store that model/ must not depend on (e.g. {@code gs://} through
 * google-cloud-storage, which transforms/ provides). Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.cdm.model.io.RemoteFetcher}.
 */
public interface RemoteFetcher {
  /** True if this fetcher handles the URI's scheme (e.g. {@code gs}). */
  boolean supports(URI uri);

  /**
   * Writes the object's bytes to {@code target} (a fresh temporary file that {@link Sources} renames
   * into its cache when this returns). Errors should name the URI.
   */
  void fetch(URI uri, Path target) throws IOException;
}
