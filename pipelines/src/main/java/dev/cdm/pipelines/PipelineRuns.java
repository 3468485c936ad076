package dev.cdm.pipelines;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * Runs a command's pipeline to its end. A failure in a worker, an {@link Error} as well as an
 * exception (a {@code NoClassDefFoundError} of a worker whose classpath lacks a jar, an assertion),
 * on the DirectRunner or on Flink, becomes one {@link Failed} exception whose message names the
 * step that threw and what it threw, so that {@link CommandErrors} reports it in one line: the
 * runners' own wrappers name neither (Flink names the chain of operators the step was fused into).
 */
public final class PipelineRuns {
  private PipelineRuns() {}

  /** A pipeline that did not end well; the message names the step when one could be told. */
  public static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Runs {@code p} and waits for its end; {@code what} names the pipeline in the error: "{@code
   * what} failed in step Generate/Sample: class ... not found (NoClassDefFoundError; ...)".
   *
   * @return the finished run, e.g. for its counters ({@link PipelineCounters})
   * @throws Failed when a step threw (its message: the step and the cause) or the pipeline ended in
   *     another state than DONE
   */
  public static PipelineResult runToEnd(Pipeline p, String what) {
    Map<String, List<String>> steps = stepsByDoFn(p);
    PipelineResult result;
    PipelineResult.State state;
    try {
      result = p.run();
      state = result.waitUntilFinish();
    } catch (RuntimeException | Error e) {
      String step = failedStep(e, steps);
      throw new Failed(
          what
              + " failed"
              + (step == null ? "" : " in step " + step)
              + ": "
              + CommandErrors.message(e),
          e);
    }
    if (state != PipelineResult.State.DONE) {
      throw new Failed(what + " ended in state " + state, null);
    }
    return result;
  }

  /** The full names of the steps of {@code p} that run each DoFn class (before the run). */
  static Map<String, List<String>> stepsByDoFn(Pipeline p) {
    Map<String, List<String>> steps = new LinkedHashMap<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            note(node);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            note(node);
          }

          private void note(TransformHierarchy.Node node) {
            PTransform<?, ?> t = node.getTransform();
            DoFn<?, ?> fn =
                t instanceof ParDo.SingleOutput
                    ? ((ParDo.SingleOutput<?, ?>) t).getFn()
                    : t instanceof ParDo.MultiOutput ? ((ParDo.MultiOutput<?, ?>) t).getFn() : null;
            if (fn == null) {
              return;
            }
            List<String> names =
                steps.computeIfAbsent(fn.getClass().getName(), k -> new ArrayList<>());
            // A ParDo.SingleOutput is entered first; its primitive (".../ParMultiDo(X)") is the
            // same step.
            if (names.stream().noneMatch(n -> node.getFullName().startsWith(n + "/"))) {
              names.add(node.getFullName());
            }
          }
        });
    return steps;
  }

  /**
   * The step whose DoFn threw {@code e}: the innermost frame of a DoFn of {@code steps} in the
   * stack of the innermost cause that has one (a DoFn shared by several steps names them all); null
   * when no frame is a known DoFn's.
   */
  static String failedStep(Throwable e, Map<String, List<String>> steps) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(0, t);
    }
    for (Throwable t : chain) {
      for (StackTraceElement frame : t.getStackTrace()) {
        List<String> names = stepsOfClass(frame.getClassName(), steps);
        if (names != null) {
          return String.join(" or ", names);
        }
      }
    }
    return null;
  }

  /** The steps of the DoFn class {@code cls} or of the DoFn it is nested in (its invoker). */
  private static List<String> stepsOfClass(String cls, Map<String, List<String>> steps) {
    for (String c = cls; ; c = c.substring(0, c.lastIndexOf('$'))) {
      List<String> names = steps.get(c);
      if (names != null) {
        return names;
      }
      if (c.lastIndexOf('$') < 0) {
        return null;
      }
    }
  }
}
