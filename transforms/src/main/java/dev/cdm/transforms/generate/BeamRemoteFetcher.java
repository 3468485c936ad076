package dev.cdm.transforms.generate;

import dev.cdm.model.io.RemoteFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Lets model/'s {@code Sources} read network files from any file system registered with Beam
 * ({@code gs://} with the GCP extension on the class path, ...). Registered through
 * {@code META-INF/services/dev.cdm.model.io.RemoteFetcher}.
 */
public final class BeamRemoteFetcher implements RemoteFetcher {
  @Override
  public boolean supports(URI uri) {
    String scheme = uri.getScheme();
    if (scheme == null || scheme.equals("http") || scheme.equals("https") || scheme.equals("file")) {
      return false;
    }
    try {
      FileSystems.matchNewResource(uri.toString(), false);
      return true;
    } catch (IllegalArgumentException e) {
      return false; // No Beam file system for this scheme.
    }
  }

  @Override
  public void fetch(URI uri, Path target) throws IOException {
    try (InputStream in =
        Channels.newInputStream(
            FileSystems.open(FileSystems.matchSingleFileSpec(uri.toString()).resourceId()))) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IOException(uri + ": " + e.getMessage(), e);
    }
  }
}
