package dev.cdm.model.io.pickle;

/**
 * Resolves a persistent id ({@code PERSID}/{@code BINPERSID}); torch uses them for tensor storages.
 */
@FunctionalInterface
public interface PersistentLoader {
  Object load(Object persistentId) throws PickleException;
}
