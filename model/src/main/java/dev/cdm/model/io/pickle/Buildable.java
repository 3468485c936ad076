package dev.cdm.model.io.pickle;

/**
 * An object that accepts pickle's {@code BUILD} opcode ({@code __setstate__} or a {@code __dict__}
 * update).
 */
public interface Buildable {
  void build(Object state) throws PickleException;
}
