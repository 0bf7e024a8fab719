// The map from the PyTorch oracle's op names and args (test/fixtures/ops.json) to duograd calls,
// with PyTorch's semantics: `x OP s` vs `s OP x`, dim null/int/list with keepdim, Python slices…
import * as dg from "../src/index.js";
import type { Tensor } from "../src/index.js";

/** The non-tensor arguments of a case, as the oracle writes them. */
export type Args = Record<string, any>;

/** What one call gives: the forward value and, for some ops, extra results (indices, running stats). */
export interface OracleResult {
  out: Tensor;
  aux?: Record<string, Tensor>;
}

export interface OracleOp {
  /** duograd functions the mapping calls: a case is "todo" until all of them exist. */
  needs: readonly string[];
  run(inputs: Tensor[], args: Args): OracleResult;
}

/** A duograd export by name, looked up at run time (ops being written elsewhere may not exist yet). */
function fn(name: string): (...a: any[]) => any {
  const f = (dg as Record<string, unknown>)[name];
  if (typeof f !== "function") throw new Error(`duograd does not export ${name}`);
  return f as (...a: any[]) => any;
}

/** Whether duograd exports every function `op` needs. */
export function missingFunctions(op: OracleOp): string[] {
  return op.needs.filter((n) => typeof (dg as Record<string, unknown>)[n] !== "function");
}

const out = (t: Tensor): OracleResult => ({ out: t });

/** A binary op that also takes a Python number on either side (`args.scalar`, `args.scalar_side`). */
function binary(name: string): OracleOp {
  return {
    needs: [name],
    run: (xs, a) => {
      const f = fn(name);
      if (a.scalar === undefined) return out(f(xs[0], xs[1]));
      return out(a.scalar_side === "left" ? f(a.scalar, xs[0]) : f(xs[0], a.scalar));
    },
  };
}

function unary(name: string, call: (x: Tensor, a: Args) => Tensor = (x) => fn(name)(x)): OracleOp {
  return { needs: [name], run: (xs, a) => out(call(xs[0], a)) };
}

/** sum/mean: no dim → over everything (0-d); else over dim(s) with keepdim. */
function reduction(name: "sum" | "mean"): OracleOp {
  return {
    needs: [name],
    run: ([x], a) => out(a.dim === null || a.dim === undefined ? x[name]() : x[name](a.dim, a.keepdim ?? false)),
  };
}

/** max/min: no dim → the 0-d extreme; with dim → values, and the indices as aux. */
function extreme(name: "max" | "min"): OracleOp {
  return {
    needs: [name],
    run: ([x], a) => {
      if (a.dim === null || a.dim === undefined) return out(x[name]());
      const r = x[name](a.dim, a.keepdim ?? false);
      return { out: r.values, aux: { indices: r.indices } };
    },
  };
}

/** Duograd's spelling of `{reduction, ...}` loss options. */
const lossOpts = (a: Args): Record<string, unknown> => {
  const o: Record<string, unknown> = { reduction: a.reduction ?? "mean" };
  if (a.delta !== undefined) o.delta = a.delta;
  if (a.label_smoothing !== undefined) o.labelSmoothing = a.label_smoothing;
  return o;
};

function loss(name: string): OracleOp {
  return { needs: [name], run: ([input, target], a) => out(fn(name)(input, target, lossOpts(a))) };
}

export const ORACLE_OPS: Record<string, OracleOp> = {
  add: binary("add"),
  sub: binary("sub"),
  mul: binary("mul"),
  div: binary("div"),
  // x ** s is the method x.pow(s) (powScalar); s ** x is torch.pow(s, x).
  pow: {
    needs: ["pow", "powScalar"],
    run: (xs, a) => {
      if (a.scalar === undefined) return out(fn("pow")(xs[0], xs[1]));
      return out(a.scalar_side === "left" ? fn("pow")(a.scalar, xs[0]) : xs[0].pow(a.scalar));
    },
  },
  maximum: binary("maximum"),
  minimum: binary("minimum"),
  neg: unary("neg"),
  exp: unary("exp"),
  log: unary("log"),
  sqrt: unary("sqrt"),
  square: unary("square"),
  abs: unary("abs"),
  tanh: unary("tanh"),
  sigmoid: unary("sigmoid"),
  relu: unary("relu"),
  sin: unary("sin"),
  cos: unary("cos"),
  leaky_relu: unary("leakyRelu", (x, a) => fn("leakyRelu")(x, a.negative_slope)),
  gelu: unary("gelu", (x, a) => fn("gelu")(x, { approximate: a.approximate })),
  softplus: unary("softplus", (x, a) => fn("softplus")(x, { beta: a.beta, threshold: a.threshold })),
  matmul: { needs: ["matmul"], run: ([a, b]) => out(fn("matmul")(a, b)) },
  transpose: { needs: ["transpose"], run: ([x], a) => out(x.transpose(a.dim0, a.dim1)) },
  permute: { needs: ["permute"], run: ([x], a) => out(x.permute(a.dims)) },
  reshape: { needs: ["reshape"], run: ([x], a) => out(x.reshape(a.shape)) },
  sum: reduction("sum"),
  mean: reduction("mean"),
  max: extreme("max"),
  min: extreme("min"),
  logsumexp: { needs: ["logsumexp"], run: ([x], a) => out(fn("logsumexp")(x, a.dim, a.keepdim ?? false)) },
  softmax: { needs: ["softmax"], run: ([x], a) => out(fn("softmax")(x, a.dim)) },
  log_softmax: { needs: ["logSoftmax"], run: ([x], a) => out(fn("logSoftmax")(x, a.dim)) },
  concat: { needs: ["cat"], run: (xs, a) => out(fn("cat")(xs, a.dim)) },
  stack: { needs: ["stack"], run: (xs, a) => out(fn("stack")(xs, a.dim)) },
  slice: {
    needs: ["sliceDims"],
    run: ([x], a) =>
      out(fn("sliceDims")(x, (a.slices as (number | null)[][]).map(([start, stop, step]) => ({ start, stop, step })))),
  },
  select: { needs: ["select"], run: ([x], a) => out(x.select(a.dim, a.index)) },
  gather: { needs: ["gather"], run: ([x, index], a) => out(fn("gather")(x, a.dim, index)) },
  where: { needs: ["where"], run: ([c, x, y]) => out(fn("where")(c, x, y)) },
  clamp: { needs: ["clamp"], run: ([x], a) => out(fn("clamp")(x, a.min, a.max)) },

  // Families written in their own files (conv, pool, normalization, embedding, losses): PyTorch's
  // functional signatures, options by name.
  conv1d: {
    needs: ["conv1d"],
    run: ([x, w, b], a) => out(fn("conv1d")(x, w, b ?? null, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups })),
  },
  conv2d: {
    needs: ["conv2d"],
    run: ([x, w, b], a) => out(fn("conv2d")(x, w, b ?? null, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups })),
  },
  max_pool2d: {
    needs: ["maxPool2d"],
    run: ([x], a) => out(fn("maxPool2d")(x, a.kernel_size, { stride: a.stride, padding: a.padding })),
  },
  avg_pool2d: {
    needs: ["avgPool2d"],
    run: ([x], a) => out(fn("avgPool2d")(x, a.kernel_size, { stride: a.stride, padding: a.padding, countIncludePad: a.count_include_pad })),
  },
  layer_norm: {
    needs: ["layerNorm"],
    run: ([x, w, b], a) => out(fn("layerNorm")(x, a.normalized_shape, w ?? null, b ?? null, a.eps)),
  },
  batch_norm: {
    needs: ["batchNorm"],
    run: ([x, w, b], a) => {
      // Running statistics in the input's dtype, updated in place by the op (aux).
      const dtype = x.dtype;
      const runningMean = dg.tensor(a.running_mean_init, { dtype });
      const runningVar = dg.tensor(a.running_var_init, { dtype });
      const y = fn("batchNorm")(x, runningMean, runningVar, { weight: w, bias: b, training: a.training, momentum: a.momentum, eps: a.eps });
      return { out: y, aux: { running_mean_after: runningMean, running_var_after: runningVar } };
    },
  },
  embedding: { needs: ["embedding"], run: ([idx, w]) => out(fn("embedding")(idx, w)) },
  mse_loss: loss("mseLoss"),
  l1_loss: loss("l1Loss"),
  huber_loss: loss("huberLoss"),
  cross_entropy: loss("crossEntropy"),
  binary_cross_entropy_with_logits: loss("binaryCrossEntropyWithLogits"),
};
