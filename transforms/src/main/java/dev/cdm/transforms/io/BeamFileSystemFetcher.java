package dev.cdm.transforms.io;

import dev.cdm.model.io.RemoteFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Lets {@code model/}'s {@code Sources.open} read {@code gs://} (and any other scheme a Beam
 * {@code FileSystem} is registered for on the class path, e.g. {@code s3://}) through Beam's
 * {@link FileSystems}, so that model/ itself stays free of cloud dependencies. Registered in
 * {@code META-INF/services/dev.cdm.model.io.RemoteFetcher}; credentials are the environment's
 * default application credentials, as for any Beam pipeline.
 */
public final class BeamFileSystemFetcher implements RemoteFetcher {
  private static volatile boolean registered;

  private static void register() {
    if (!registered) {
      synchronized (BeamFileSystemFetcher.class) {
        if (!registered) {
          FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
          registered = true;
        }
      }
    }
  }

  @Override
  public boolean supports(URI uri) {
    String scheme = uri.getScheme();
    if (scheme == null || scheme.equals("http") || scheme.equals("https")) {
      return false;
    }
    register();
    try {
      FileSystems.matchNewResource(uri.toString(), false);
      return true;
    } catch (IllegalArgumentException e) {
      return false; // no Beam file system for this scheme
    }
  }

  @Override
  public void fetch(URI uri, Path target) throws IOException {
    register();
    MatchResult.Metadata meta;
    try {
      List<MatchResult.Metadata> found = FileSystems.match(uri.toString()).metadata();
      if (found.size() != 1) {
        throw new IOException("cannot read " + uri + ": it matches " + found.size() + " objects, expected one");
      }
      meta = found.get(0);
    } catch (java.io.FileNotFoundException e) {
      throw new IOException("cannot read " + uri + ": no such object", e);
    }
    try (ReadableByteChannel ch = FileSystems.open(meta.resourceId());
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = Files.newOutputStream(target)) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new IOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
  }
}
