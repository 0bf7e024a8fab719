// ONNX forms of the core ops a model's own code applies between its layers (`x.matmul(this.w)`,
// `x.add(this.b)`, `F.relu(h)`, `h.reshape(…)`): one converter per op of the op table that has a
// direct ONNX counterpart. Other ops are refused with the list of these.
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import * as P from "./proto.js";
import { fail, requireFloat32, type ExportContext } from "./context.js";

/** One recorded op application. */
export interface OpEvent {
  name: string;
  inputs: readonly Tensor[];
  attrs: any;
  output: Tensor;
}

type OpConverter = (ctx: ExportContext, e: OpEvent, xs: string[]) => string;

const simple = (op: string): OpConverter => (ctx, _e, xs) => ctx.g.op(op, xs);

const ONNX_TYPE: Record<DType, number> = { float32: 1, int32: 6, bool: 9, float64: 11 };

/** Reduce axes written for the opset: an input from opset 18 on (13 for ReduceSum), else an attribute. */
function reduce(ctx: ExportContext, op: string, x: string, dims: readonly number[], keepdim: boolean): string {
  const axesAsInput = op === "ReduceSum" ? ctx.opset >= 13 : ctx.opset >= 18;
  if (axesAsInput) return ctx.g.op(op, [x, ctx.g.int64Const("axes", dims)], { keepdims: P.int(keepdim ? 1 : 0) });
  return ctx.g.op(op, [x], { axes: P.ints(dims), keepdims: P.int(keepdim ? 1 : 0) });
}

/** The last two dims swapped: a weight transposed once at export, a computed value by a node. */
function swapLast(ctx: ExportContext, t: Tensor, name: string): string {
  const n = t.ndim;
  if (n < 2) return name;
  if (ctx.isWeight(t) && n === 2) {
    const [r, c] = t.shape;
    const v = new Float32Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) v[j * r + i] = t.storage[i * c + j];
    return ctx.weight(t, undefined, { tag: "T", dims: [c, r], values: v });
  }
  const perm = [...Array(n).keys()];
  [perm[n - 2], perm[n - 1]] = [perm[n - 1], perm[n - 2]];
  return ctx.transpose(name, perm);
}

export const OP_CONVERTERS: Record<string, OpConverter> = {
  add: simple("Add"),
  sub: simple("Sub"),
  mul: simple("Mul"),
  div: simple("Div"),
  maximum: simple("Max"),
  minimum: simple("Min"),
  neg: simple("Neg"),
  exp: simple("Exp"),
  log: simple("Log"),
  sqrt: simple("Sqrt"),
  abs: simple("Abs"),
  tanh: simple("Tanh"),
  sigmoid: simple("Sigmoid"),
  relu: simple("Relu"),
  erf: simple("Erf"),
  reciprocal: simple("Reciprocal"),
  floor: simple("Floor"),
  ceil: simple("Ceil"),
  sin: simple("Sin"),
  cos: simple("Cos"),
  clone: simple("Identity"),
  rsqrt: (ctx, _e, [x]) => ctx.g.op("Reciprocal", [ctx.g.op("Sqrt", [x])]),
  square: (ctx, _e, [x]) => ctx.g.op("Mul", [x, x]),
  silu: (ctx, _e, [x]) => ctx.silu(x),
  gelu: (ctx, e, [x]) => ctx.gelu(x, e.attrs.approximate),
  softplus: (ctx, e, [x]) => ctx.softplus(x, e.attrs.beta),
  leaky_relu: (ctx, e, [x]) => ctx.unary("LeakyRelu", x, { alpha: e.attrs.negativeSlope }),
  elu: (ctx, e, [x]) => ctx.unary("Elu", x, { alpha: e.attrs.alpha }),
  pow_scalar: (ctx, e, [x]) => ctx.g.op("Pow", [x, ctx.g.scalar(e.attrs.exponent)]),
  cast: (ctx, e, [x]) => ctx.g.op("Cast", [x], { to: P.int(ONNX_TYPE[e.attrs.dtype as DType]) }),
  reshape: (ctx, e, [x]) => ctx.reshape(x, e.inputs[0].shape, e.attrs.shape),
  permute: (ctx, e, [x]) => ctx.transpose(x, e.attrs.dims),
  cat: (ctx, e, xs) => ctx.g.op("Concat", xs, { axis: P.int(e.attrs.dim) }),
  sum: (ctx, e, [x]) => reduce(ctx, "ReduceSum", x, e.attrs.dims, e.attrs.keepdim),
  amax: (ctx, e, [x]) => reduce(ctx, "ReduceMax", x, e.attrs.dims, e.attrs.keepdim),
  amin: (ctx, e, [x]) => reduce(ctx, "ReduceMin", x, e.attrs.dims, e.attrs.keepdim),
  matmul: (ctx, e, [a, b]) => {
    const [ta, tb] = e.inputs;
    const left = e.attrs.transA ? swapLast(ctx, ta, a) : a;
    const right = e.attrs.transB ? swapLast(ctx, tb, b) : b;
    return ctx.g.op("MatMul", [left, right]);
  },
  // F.linear with a bias (x [B, in], W [out, in]): written as the matmul and add it fuses.
  linear: (ctx, e, [x, w, b]) => ctx.g.op("Add", [ctx.g.op("MatMul", [x, swapLast(ctx, e.inputs[1], w)]), b]),
};

/** Adds the ONNX form of one recorded op; its output gets a value name. */
export function convertOp(ctx: ExportContext, e: OpEvent): void {
  const conv = OP_CONVERTERS[e.name];
  const where = `op '${e.name}'`;
  if (!conv) {
    fail(`${where} (on shapes ${e.inputs.map((t) => `[${t.shape.join(", ")}]`).join(", ")}) has no ONNX form here; ops between layers may be: ${Object.keys(OP_CONVERTERS).join(", ")}`);
  }
  if (e.output.dtype !== "float32") fail(`${where} gives a ${e.output.dtype} result; ONNX export writes float32 graphs`);
  for (const t of e.inputs) if (ctx.values.has(t)) requireFloat32(t, where);
  const xs = e.inputs.map((t) => ctx.value(t, where));
  ctx.set(e.output, conv(ctx, e, xs));
}
