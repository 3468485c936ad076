package dev.cdm.transforms.io;

import dev.cdm.model.io.RemoteFetcher;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The one {@link RemoteFetcher} of the project: lets {@code model/}'s {@code Sources.open} (the
 * download cache for networks, detectors, statistics and ZIP datasets) read {@code gs://} and any
 * other scheme a Beam {@code FileSystem} is registered for on the class path, through Beam's {@code
 * FileSystems} ({@link AtomicFiles}), so that model/ and fid/ stay free of cloud and Beam
 * dependencies. Registered in {@code META-INF/services/dev.cdm.model.io.RemoteFetcher}; credentials
 * are the environment's default application credentials, as for any Beam pipeline.
 */
public final class BeamFileSystemFetcher implements RemoteFetcher {
  @Override
  public boolean supports(URI uri) {
    String scheme = uri.getScheme();
    if (scheme == null || scheme.equals("http") || scheme.equals("https")) {
      return false;
    }
    try {
      AtomicFiles.resource(uri.toString(), false);
      return true;
    } catch (IllegalArgumentException e) {
      return false; // no Beam file system for this scheme
    }
  }

  /** Size and modification time: a replaced object gets a new cache entry. */
  @Override
  public String version(URI uri) throws IOException {
    MatchResult.Metadata meta = metadata(uri);
    return meta.sizeBytes() + "-" + meta.lastModifiedMillis();
  }

  @Override
  public void fetch(URI uri, Path target) throws IOException {
    metadata(uri);
    try (InputStream in = AtomicFiles.open(uri.toString());
        OutputStream out = Files.newOutputStream(target)) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new IOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
  }

  private static MatchResult.Metadata metadata(URI uri) throws IOException {
    try {
      return AtomicFiles.metadata(uri.toString());
    } catch (FileNotFoundException e) {
      throw new IOException("cannot read " + uri + ": no such object", e);
    }
  }
}
