// ONNX forms of the PyTorch-dialect modules: each known module becomes one ONNX op (or a few),
// reading its settings and weights. Dropout and Identity vanish (the export is in eval mode).
import type { Tensor } from "../../tensor/tensor.js";
import type { Module } from "../../nn/module.js";
import { Flatten, Identity, Linear } from "../../torch/nn/linear.js";
import { ELU, GELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh } from "../../torch/nn/activation.js";
import { AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, Dropout, Embedding, LayerNorm, MaxPool2d } from "../../torch/nn/layers.js";
import * as P from "./proto.js";
import { fail, requireFloat32, type ExportContext } from "./context.js";

type IntOrTuple = number | readonly number[];
type Converter = (ctx: ExportContext, m: any, input: Tensor, output: Tensor, x: string) => string;

const tuple = (v: IntOrTuple, n: number): number[] => (typeof v === "number" ? new Array<number>(n).fill(v) : v.length === 1 ? new Array<number>(n).fill(v[0]) : v.slice());

const where = (m: Module) => `module ${m.constructor.name}`;

function linear(ctx: ExportContext, m: Linear, input: Tensor, x: string): string {
  const w = m.weight;
  if (input.ndim === 2) {
    const ins = [x, ctx.weight(w)];
    if (m.bias !== null) ins.push(ctx.weight(m.bias));
    return ctx.g.op("Gemm", ins, { transB: P.int(1) }, "linear");
  }
  // Other ranks: x·Wᵀ with Wᵀ stored once, then the bias broadcast over the last dim.
  const [o, i] = w.shape;
  const wt = new Float32Array(o * i);
  for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) wt[c * o + r] = w.storage[r * i + c];
  const y = ctx.g.op("MatMul", [x, ctx.weight(w, undefined, { tag: "T", dims: [i, o], values: wt })]);
  return m.bias === null ? y : ctx.g.op("Add", [y, ctx.weight(m.bias)], {}, "linear");
}

function conv(ctx: ExportContext, m: Conv1d | Conv2d, x: string, nd: number): string {
  const k = m.kernelSize;
  let pads: number[];
  if (m.padding === "valid") pads = new Array<number>(2 * nd).fill(0);
  else if (m.padding === "same") {
    // PyTorch's "same": total d·(k−1) per axis, the odd one after.
    const lo = k.map((kk, i) => Math.floor((m.dilation[i] * (kk - 1)) / 2));
    const hi = k.map((kk, i) => m.dilation[i] * (kk - 1) - lo[i]);
    pads = [...lo, ...hi];
  } else pads = [...m.padding, ...m.padding];
  const ins = [x, ctx.weight(m.weight)];
  if (m.bias !== null) ins.push(ctx.weight(m.bias));
  return ctx.g.op("Conv", ins, {
    kernel_shape: P.ints(k), strides: P.ints(m.stride), pads: P.ints(pads), dilations: P.ints(m.dilation), group: P.int(m.groups),
  }, "conv");
}

function batchNorm(ctx: ExportContext, m: BatchNorm1d | BatchNorm2d, x: string): string {
  if (m.runningMean === null || m.runningVar === null) {
    fail(`${where(m)}: without running statistics (trackRunningStats: false) it normalises with each batch's statistics even in eval mode; ONNX export needs running statistics`);
  }
  const c = m.numFeatures;
  const scale = m.weight !== null ? ctx.weight(m.weight) : ctx.g.floatConst("bn_scale", [c], new Float32Array(c).fill(1), `ones:${c}`);
  const bias = m.bias !== null ? ctx.weight(m.bias) : ctx.g.floatConst("bn_bias", [c], new Float32Array(c), `zeros:${c}`);
  return ctx.g.op("BatchNormalization", [x, scale, bias, ctx.weight(m.runningMean!), ctx.weight(m.runningVar!)], { epsilon: P.float(m.eps) }, "batchnorm");
}

function layerNorm(ctx: ExportContext, m: LayerNorm, x: string): string {
  if (ctx.opset < 17) fail(`${where(m)}: LayerNormalization needs opset 17 or later (asked for ${ctx.opset})`);
  const shape = m.normalizedShape;
  const n = shape.reduce((a, b) => a * b, 1);
  const scale = m.weight !== null ? ctx.weight(m.weight) : ctx.g.floatConst("ln_scale", shape, new Float32Array(n).fill(1), `ones:${shape.join("x")}`);
  const bias = m.bias !== null ? ctx.weight(m.bias) : ctx.g.floatConst("ln_bias", shape, new Float32Array(n), `zeros:${shape.join("x")}`);
  return ctx.g.op("LayerNormalization", [x, scale, bias], { axis: P.int(-shape.length), epsilon: P.float(m.eps) }, "layernorm");
}

function flatten(ctx: ExportContext, m: Flatten, input: Tensor, output: Tensor, x: string): string {
  const nd = input.ndim;
  const start = m.startDim < 0 ? m.startDim + nd : m.startDim;
  const end = m.endDim < 0 ? m.endDim + nd : m.endDim;
  if (start === 1 && end === nd - 1) return ctx.g.op("Flatten", [x], { axis: P.int(1) }, "flatten");
  return ctx.reshape(x, input.shape, output.shape);
}

function adaptiveAvgPool(ctx: ExportContext, m: AdaptiveAvgPool2d, input: Tensor, output: Tensor, x: string): string {
  const [h, w] = input.shape.slice(-2);
  const [oh, ow] = output.shape.slice(-2);
  if (oh === 1 && ow === 1) return ctx.g.op("GlobalAveragePool", [x], {}, "avgpool");
  if (h % oh !== 0 || w % ow !== 0) fail(`${where(m)}: output size ${oh}x${ow} does not divide the input's ${h}x${w}; only evenly dividing sizes export (as AveragePool)`);
  const k = [h / oh, w / ow];
  return ctx.g.op("AveragePool", [x], { kernel_shape: P.ints(k), strides: P.ints(k) }, "avgpool");
}

/** The converters, by module class; a module of another class is traced through (its ops export). */
export const TORCH_CONVERTERS = new Map<Function, Converter>([
  [Linear, (ctx, m, input, _o, x) => linear(ctx, m, input, x)],
  [Identity, (_c, _m, _i, _o, x) => x],
  [Dropout, (_c, _m, _i, _o, x) => x],
  [Flatten, (ctx, m, input, output, x) => flatten(ctx, m, input, output, x)],
  [ReLU, (ctx, _m, _i, _o, x) => ctx.g.op("Relu", [x])],
  [Sigmoid, (ctx, _m, _i, _o, x) => ctx.g.op("Sigmoid", [x])],
  [Tanh, (ctx, _m, _i, _o, x) => ctx.g.op("Tanh", [x])],
  [SiLU, (ctx, _m, _i, _o, x) => ctx.silu(x)],
  [GELU, (ctx, m: GELU, _i, _o, x) => ctx.gelu(x, m.approximate)],
  [LeakyReLU, (ctx, m: LeakyReLU, _i, _o, x) => ctx.unary("LeakyRelu", x, { alpha: m.negativeSlope })],
  [ELU, (ctx, m: ELU, _i, _o, x) => ctx.unary("Elu", x, { alpha: m.alpha })],
  [Softplus, (ctx, m: Softplus, _i, _o, x) => ctx.softplus(x, m.beta)],
  [Hardtanh, (ctx, m: Hardtanh, _i, _o, x) => ctx.g.op("Clip", [x, ctx.g.scalar(m.minVal), ctx.g.scalar(m.maxVal)])],
  [Softmax, (ctx, m: Softmax, _i, _o, x) => ctx.g.op("Softmax", [x], { axis: P.int(m.dim) })],
  [LogSoftmax, (ctx, m: LogSoftmax, _i, _o, x) => ctx.g.op("LogSoftmax", [x], { axis: P.int(m.dim) })],
  [Conv1d, (ctx, m, _i, _o, x) => conv(ctx, m, x, 1)],
  [Conv2d, (ctx, m, _i, _o, x) => conv(ctx, m, x, 2)],
  [
    MaxPool2d,
    (ctx, m: MaxPool2d, _i, _o, x) => {
      if (m.returnIndices) fail(`${where(m)}: returnIndices has no ONNX export here`);
      const p = tuple(m.padding, 2);
      return ctx.g.op("MaxPool", [x], {
        kernel_shape: P.ints(tuple(m.kernelSize, 2)), strides: P.ints(tuple(m.stride, 2)), pads: P.ints([...p, ...p]),
        dilations: P.ints(tuple(m.dilation, 2)), ceil_mode: P.int(m.ceilMode ? 1 : 0),
      }, "maxpool");
    },
  ],
  [
    AvgPool2d,
    (ctx, m: AvgPool2d, _i, _o, x) => {
      if (m.divisorOverride !== null) fail(`${where(m)}: divisorOverride has no ONNX counterpart`);
      const p = tuple(m.padding, 2);
      return ctx.g.op("AveragePool", [x], {
        kernel_shape: P.ints(tuple(m.kernelSize, 2)), strides: P.ints(tuple(m.stride, 2)), pads: P.ints([...p, ...p]),
        ceil_mode: P.int(m.ceilMode ? 1 : 0), count_include_pad: P.int(m.countIncludePad ? 1 : 0),
      }, "avgpool");
    },
  ],
  [AdaptiveAvgPool2d, (ctx, m, input, output, x) => adaptiveAvgPool(ctx, m, input, output, x)],
  [BatchNorm1d, (ctx, m, _i, _o, x) => batchNorm(ctx, m, x)],
  [BatchNorm2d, (ctx, m, _i, _o, x) => batchNorm(ctx, m, x)],
  [LayerNorm, (ctx, m, _i, _o, x) => layerNorm(ctx, m, x)],
  [Embedding, (ctx, m: Embedding, _i, _o, x) => ctx.g.op("Gather", [ctx.weight(m.weight), x], { axis: P.int(0) }, "embedding")],
]);

/** Adds one module call to the graph; checks its input first. */
export function convertTorchModule(ctx: ExportContext, m: Module, input: Tensor, output: Tensor): void {
  const conv = TORCH_CONVERTERS.get(m.constructor)!;
  if (!(m instanceof Embedding)) requireFloat32(input, where(m));
  const x = ctx.value(input, where(m));
  ctx.set(output, conv(ctx, m, input, output, x));
}
