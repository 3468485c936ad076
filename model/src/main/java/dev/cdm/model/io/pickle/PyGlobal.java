package dev.cdm.model.io.pickle;

import java.util.Map;

/**
 * The Java stand-in for one allow-listed Python global ({@code module.name}). The unpickler never
 * imports or runs Python: a global that the stream names is looked up in an explicit table of
 * these, and {@code REDUCE} / {@code NEWOBJ} call into the Java code here, which only builds data.
 */
public interface PyGlobal {
  /** The qualified Python name, e.g. {@code collections.OrderedDict}. */
  String qualifiedName();

  /**
   * {@code REDUCE} (and the legacy {@code INST}/{@code OBJ}): calling the global with positional
   * args.
   */
  default Object call(PyTuple args) throws PickleException {
    throw new PickleException("global " + qualifiedName() + " cannot be called");
  }

  /** {@code NEWOBJ} / {@code NEWOBJ_EX}: {@code cls.__new__(cls, *args, **kwargs)}. */
  default Object newObject(PyTuple args, Map<String, Object> kwargs) throws PickleException {
    throw new PickleException("global " + qualifiedName() + " cannot be instantiated");
  }

  /** A global that {@code REDUCE} calls: {@code fn} builds the value from the arguments. */
  static PyGlobal function(String qualifiedName, Function fn) {
    return new PyGlobal() {
      @Override
      public String qualifiedName() {
        return qualifiedName;
      }

      @Override
      public Object call(PyTuple args) throws PickleException {
        return fn.apply(args);
      }

      @Override
      public String toString() {
        return qualifiedName;
      }
    };
  }

  /** The Java code behind a {@link #function} global; it only builds data. */
  @FunctionalInterface
  interface Function {
    Object apply(PyTuple args) throws PickleException;
  }

  /** A global that is only a token (a storage type, a dtype) and is never called. */
  static PyGlobal token(String qualifiedName) {
    return new PyGlobal() {
      @Override
      public String qualifiedName() {
        return qualifiedName;
      }

      @Override
      public String toString() {
        return qualifiedName;
      }
    };
  }
}
