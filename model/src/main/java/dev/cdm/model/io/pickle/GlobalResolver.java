package dev.cdm.model.io.pickle;

/**
 * Maps a global named by the stream to its Java stand-in. Implementations return {@code null} for
 * every name they do not explicitly allow; the unpickler then refuses the stream, naming the
 * global.
 */
@FunctionalInterface
public interface GlobalResolver {
  PyGlobal resolve(String module, String name);
}
