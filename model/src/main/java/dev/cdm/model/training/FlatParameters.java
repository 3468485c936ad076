package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.Autograd;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A network's trainable parameters as views of one contiguous float32 buffer [P] (state_dict
 * order), so that whole-network updates (Adam's step, the EMA, the copy to the other replicas) are
 * one in-place op on the buffer instead of a few native calls per parameter tensor.
 *
 * <p>Linking copies the current values into a new buffer and replaces every parameter of the
 * network by a slice of it reshaped to the parameter's shape. For a trainable network each view is
 * a leaf that requires a gradient (backward fills each view's own {@code .grad}, as before); the
 * buffer itself never requires one, and is only written with grad mode off. Layers read their
 * parameters by name at every call, so the next forward sees an update of the buffer.
 *
 * <p>If something later replaces the network's parameter arrays (a state dict loaded into it),
 * {@link #flat()} notices (the network no longer holds these views) and links again from the values
 * it holds then.
 */
final class FlatParameters {
  private final TrainableNetwork net;
  private final boolean trainable;
  private NDArray flat;
  private final List<NDArray> views = new ArrayList<>();

  private FlatParameters(TrainableNetwork net, boolean trainable) {
    this.net = net;
    this.trainable = trainable;
  }

  /**
   * Links {@code net}'s parameters to a new flat buffer; {@code trainable}: the views require
   * gradients.
   */
  static FlatParameters link(TrainableNetwork net, boolean trainable) {
    FlatParameters f = new FlatParameters(net, trainable);
    f.relink();
    return f;
  }

  /** The flat buffer [P] behind the network's parameters (linked again first if it was undone). */
  NDArray flat() {
    if (!linked()) {
      relink();
    }
    return flat;
  }

  /** The network's parameters by name (the views of the buffer while linked). */
  LinkedHashMap<String, NDArray> parameters() {
    return net.parameters();
  }

  /** True while every parameter of the network is still the view this buffer installed. */
  boolean linked() {
    List<NDArray> params = net.parameterArrays();
    if (params.size() != views.size()) {
      return false;
    }
    Iterator<NDArray> it = views.iterator();
    for (NDArray p : params) {
      if (p != it.next()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isOneOf(NDArray a, List<NDArray> list) {
    for (NDArray b : list) {
      if (a == b) {
        return true;
      }
    }
    return false;
  }

  private void relink() {
    Autograd.noGrad(
        () -> {
          LinkedHashMap<String, NDArray> params = net.parameters();
          List<Shape> shapes = new ArrayList<>();
          params.values().forEach(p -> shapes.add(p.getShape()));
          NDArray next = Adam.flatten(new ArrayList<>(params.values()));
          List<NDArray> nextViews = Adam.unflatten(next, shapes);
          int i = 0;
          for (String name : params.keySet()) {
            NDArray v = nextViews.get(i++);
            if (trainable) {
              v.setRequiresGradient(true);
            }
            NDArray old = net.replaceParameter(name, v);
            if (old != null && !isOneOf(old, views)) {
              old.close();
            }
          }
          Adam.close(views);
          views.clear();
          views.addAll(nextViews);
          if (flat != null) {
            flat.close();
          }
          flat = next;
          net.parametersUpdated();
          return null;
        });
  }
}
