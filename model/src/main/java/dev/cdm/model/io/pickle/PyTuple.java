package dev.cdm.model.io.pickle;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * A Python tuple: an immutable list with value equality, so that it can serve as a dictionary key
 * the way tuples do in Python. Elements may be {@code null} (Python's {@code None}).
 */
public final class PyTuple extends AbstractList<Object> implements RandomAccess {
  public static final PyTuple EMPTY = new PyTuple(new Object[0]);

  private final Object[] items;

  private PyTuple(Object[] items) {
    this.items = items;
  }

  public static PyTuple of(Object... items) {
    return items.length == 0 ? EMPTY : new PyTuple(items.clone());
  }

  public static PyTuple copyOf(List<?> items) {
    return items.isEmpty() ? EMPTY : new PyTuple(items.toArray());
  }

  @Override
  public Object get(int index) {
    return items[index];
  }

  @Override
  public int size() {
    return items.length;
  }

  @Override
  public String toString() {
    String inner = Arrays.toString(items);
    return "(" + inner.substring(1, inner.length() - 1) + (items.length == 1 ? ",)" : ")");
  }
}
