package dev.cdm.model.io;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Downloads objects from a remote store that model/ must not depend on: the one fetcher interface
 * of the project (transforms/ provides the implementation over Beam's {@code FileSystems}, for
 * {@code gs://} and any other registered scheme). Implementations are found with {@link
 * java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/dev.cdm.model.io.RemoteFetcher}.
 */
public interface RemoteFetcher {
  /** True if this fetcher handles the URI's scheme (e.g. {@code gs}). */
  boolean supports(URI uri);

  /**
   * A text that changes when the object at {@code uri} changes (e.g. its size and modification
   * time), part of its cache name so that a replaced object is fetched again; empty when unknown
   * (the URL alone names the cached copy, as for http downloads).
   */
  default String version(URI uri) throws IOException {
    return "";
  }

  /**
   * Writes the object's bytes to {@code target} (a fresh temporary file that {@link Sources}
   * renames into its cache when this returns). Errors should name the URI.
   */
  void fetch(URI uri, Path target) throws IOException;
}
