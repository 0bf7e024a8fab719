// ONNX forms of the Keras-dialect layers. Keras images are channels-last while ONNX's Conv and
// pooling are channels-first, so those layers are wrapped in Transposes (ONNX Runtime fuses
// adjacent ones); "same" padding is written out explicitly from the traced image size, the odd
// pixel after the image as TensorFlow pads.
import type { Tensor } from "../../tensor/tensor.js";
import type { Layer } from "../../tf/keras/layer.js";
import { Activation, Dense, Dropout, Flatten, Reshape } from "../../tf/keras/layers/core.js";
import { AveragePooling2D, Conv2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D } from "../../tf/keras/layers/conv.js";
import { BatchNormalization, Embedding, LayerNormalization } from "../../tf/keras/layers/normalization.js";
import { activationName, type ActivationFn } from "../../tf/keras/activations.js";
import * as P from "./proto.js";
import { fail, requireFloat32, type ExportContext } from "./context.js";

type Converter = (ctx: ExportContext, l: any, input: Tensor, output: Tensor, x: string) => string;

const where = (l: Layer) => `layer '${l.name}' (${l.constructor.name})`;

/** The ONNX form of a Keras activation function, by its name. */
function activation(ctx: ExportContext, l: Layer, f: ActivationFn, x: string): string {
  const name = activationName(f);
  switch (name) {
    case "linear":
      return x;
    case "relu":
      return ctx.g.op("Relu", [x]);
    case "sigmoid":
      return ctx.g.op("Sigmoid", [x]);
    case "tanh":
      return ctx.g.op("Tanh", [x]);
    case "softmax":
      return ctx.g.op("Softmax", [x], { axis: P.int(-1) });
    case "elu":
      return ctx.unary("Elu", x, { alpha: 1 });
    case "selu":
      return ctx.unary("Selu", x, { alpha: 1.6732632423543772, gamma: 1.0507009873554805 });
    case "softplus":
      return ctx.g.op("Softplus", [x]);
    case "softsign":
      return ctx.g.op("Softsign", [x]);
    case "swish":
    case "silu":
      return ctx.silu(x);
    case "gelu":
      return ctx.gelu(x, "none");
    case "exponential":
      return ctx.g.op("Exp", [x]);
    case "hard_sigmoid":
      return ctx.unary("HardSigmoid", x, { alpha: 0.2, beta: 0.5 });
    case "leaky_relu":
      return ctx.unary("LeakyRelu", x, { alpha: 0.2 });
  }
  return fail(`${where(l)}: activation '${name}' is a custom function, which has no ONNX export; use a built-in activation`);
}

/** TensorFlow's padding before and after the image along one axis. */
function tfPads(size: number, k: number, s: number, d: number, padding: "valid" | "same"): [number, number] {
  if (padding === "valid") return [0, 0];
  const eff = (k - 1) * d + 1;
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + eff - size, 0);
  const lo = Math.floor(total / 2);
  return [lo, total - lo];
}

/** Runs `body` on the input as [N, C, H, W]: transposes around it for channels-last. */
function channelsFirst(ctx: ExportContext, format: string, x: string, body: (x: string) => string): string {
  if (format !== "channels_last") return body(x);
  return ctx.transpose(body(ctx.transpose(x, [0, 3, 1, 2])), [0, 2, 3, 1]);
}

function spatial(input: Tensor, format: string): [number, number] {
  return format === "channels_last" ? [input.shape[1], input.shape[2]] : [input.shape[2], input.shape[3]];
}

function dense(ctx: ExportContext, l: Dense, input: Tensor, x: string): string {
  const kernel = ctx.weight(l.kernel!);
  let y: string;
  if (input.ndim === 2) {
    const ins = [x, kernel];
    if (l.bias) ins.push(ctx.weight(l.bias));
    y = ctx.g.op("Gemm", ins, {}, "dense");
  } else {
    y = ctx.g.op("MatMul", [x, kernel]);
    if (l.bias) y = ctx.g.op("Add", [y, ctx.weight(l.bias)], {}, "dense");
  }
  return activation(ctx, l, l.activation, y);
}

function conv2d(ctx: ExportContext, l: Conv2D, input: Tensor, x: string): string {
  const kernel = l.kernel!;
  const [kh, kw, cin, cout] = kernel.shape;
  // Keras' [kh, kw, in, out] → ONNX's [out, in, kh, kw].
  const w = new Float32Array(kernel.numel());
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++) w[((o * cin + c) * kh + i) * kw + j] = kernel.storage[((i * kw + j) * cin + c) * cout + o];
  const [h, wd] = spatial(input, l.dataFormat);
  const ph = tfPads(h, kh, l.strides[0], l.dilationRate[0], l.padding);
  const pw = tfPads(wd, kw, l.strides[1], l.dilationRate[1], l.padding);
  const y = channelsFirst(ctx, l.dataFormat, x, (xc) => {
    const ins = [xc, ctx.weight(kernel, undefined, { tag: "oihw", dims: [cout, cin, kh, kw], values: w })];
    if (l.bias) ins.push(ctx.weight(l.bias));
    return ctx.g.op("Conv", ins, {
      kernel_shape: P.ints([kh, kw]), strides: P.ints(l.strides), dilations: P.ints(l.dilationRate), pads: P.ints([ph[0], pw[0], ph[1], pw[1]]),
    }, "conv");
  });
  return activation(ctx, l, l.activation, y);
}

function pool(ctx: ExportContext, l: MaxPooling2D | AveragePooling2D, input: Tensor, x: string, op: "MaxPool" | "AveragePool"): string {
  const [h, w] = spatial(input, l.dataFormat);
  const ph = tfPads(h, l.poolSize[0], l.strides[0], 1, l.padding);
  const pw = tfPads(w, l.poolSize[1], l.strides[1], 1, l.padding);
  const attrs: Record<string, P.AttrValue> = { kernel_shape: P.ints(l.poolSize), strides: P.ints(l.strides), pads: P.ints([ph[0], pw[0], ph[1], pw[1]]) };
  // TensorFlow's average pooling divides by the taps inside the image.
  if (op === "AveragePool") attrs.count_include_pad = P.int(0);
  return channelsFirst(ctx, l.dataFormat, x, (xc) => ctx.g.op(op, [xc], attrs, op === "MaxPool" ? "maxpool" : "avgpool"));
}

function reduceAxes(ctx: ExportContext, op: "ReduceMean" | "ReduceMax", x: string, axes: number[], keepdims: boolean): string {
  if (ctx.opset >= 18) return ctx.g.op(op, [x, ctx.g.int64Const("axes", axes)], { keepdims: P.int(keepdims ? 1 : 0) });
  return ctx.g.op(op, [x], { axes: P.ints(axes), keepdims: P.int(keepdims ? 1 : 0) });
}

function batchNorm(ctx: ExportContext, l: BatchNormalization, input: Tensor, x: string): string {
  const nd = input.ndim;
  const ax = l.axis < 0 ? l.axis + nd : l.axis;
  const c = input.shape[ax];
  const mean = l.movingMean!;
  const variance = l.movingVariance!;
  if (ax === 1) {
    const scale = l.gamma ? ctx.weight(l.gamma) : ctx.g.floatConst("bn_scale", [c], new Float32Array(c).fill(1), `ones:${c}`);
    const bias = l.beta ? ctx.weight(l.beta) : ctx.g.floatConst("bn_bias", [c], new Float32Array(c), `zeros:${c}`);
    return ctx.g.op("BatchNormalization", [x, scale, bias, ctx.weight(mean), ctx.weight(variance)], { epsilon: P.float(l.epsilon) }, "batchnorm");
  }
  // Another feature axis (channels-last): y = x·s + t per feature, with s and t folded at export.
  const s = new Float64Array(c);
  const t = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    const g = l.gamma ? l.gamma.storage[i] : 1;
    const b = l.beta ? l.beta.storage[i] : 0;
    s[i] = g / Math.sqrt(variance.storage[i] + l.epsilon);
    t[i] = b - mean.storage[i] * s[i];
  }
  const dims = [c, ...new Array<number>(nd - 1 - ax).fill(1)];
  const scaled = ctx.g.op("Mul", [x, ctx.weight(mean, `${l.name}/scale`, { tag: "scale", dims, values: s })]);
  return ctx.g.op("Add", [scaled, ctx.weight(mean, `${l.name}/shift`, { tag: "shift", dims, values: t })], {}, "batchnorm");
}

function layerNorm(ctx: ExportContext, l: LayerNormalization, input: Tensor, x: string): string {
  if (ctx.opset < 17) fail(`${where(l)}: LayerNormalization needs opset 17 or later (asked for ${ctx.opset})`);
  const nd = input.ndim;
  const axes = (typeof l.axis === "number" ? [l.axis] : l.axis.slice()).map((a) => (a < 0 ? a + nd : a)).sort((a, b) => a - b);
  if (axes.some((a, i) => a !== nd - axes.length + i)) fail(`${where(l)}: only normalisation over the trailing axes exports (axis ${JSON.stringify(l.axis)} of a ${nd}-D input)`);
  const shape = axes.map((a) => input.shape[a]);
  const n = shape.reduce((a, b) => a * b, 1);
  const scale = l.gamma ? ctx.weight(l.gamma) : ctx.g.floatConst("ln_scale", shape, new Float32Array(n).fill(1), `ones:${shape.join("x")}`);
  const bias = l.beta ? ctx.weight(l.beta) : ctx.g.floatConst("ln_bias", shape, new Float32Array(n), `zeros:${shape.join("x")}`);
  return ctx.g.op("LayerNormalization", [x, scale, bias], { axis: P.int(axes[0]), epsilon: P.float(l.epsilon) }, "layernorm");
}

/** The converters, by layer class; a layer of another class is traced through (its ops export). */
export const KERAS_CONVERTERS = new Map<Function, Converter>([
  [Dense, (ctx, l, input, _o, x) => dense(ctx, l, input, x)],
  [Activation, (ctx, l: Activation, _i, _o, x) => activation(ctx, l, l.activation, x)],
  [Dropout, (_c, _l, _i, _o, x) => x],
  [Flatten, (ctx, _l, _i, _o, x) => ctx.g.op("Flatten", [x], { axis: P.int(1) }, "flatten")],
  [Reshape, (ctx, l: Reshape, _i, _o, x) => ctx.g.op("Reshape", [x, ctx.g.int64Const("shape", [0, ...l.targetShape])])],
  [Conv2D, (ctx, l, input, _o, x) => conv2d(ctx, l, input, x)],
  [MaxPooling2D, (ctx, l, input, _o, x) => pool(ctx, l, input, x, "MaxPool")],
  [AveragePooling2D, (ctx, l, input, _o, x) => pool(ctx, l, input, x, "AveragePool")],
  [GlobalAveragePooling2D, (ctx, l: GlobalAveragePooling2D, _i, _o, x) => reduceAxes(ctx, "ReduceMean", x, l.dataFormat === "channels_last" ? [1, 2] : [2, 3], l.keepdims)],
  [GlobalMaxPooling2D, (ctx, l: GlobalMaxPooling2D, _i, _o, x) => reduceAxes(ctx, "ReduceMax", x, l.dataFormat === "channels_last" ? [1, 2] : [2, 3], false)],
  [BatchNormalization, (ctx, l, input, _o, x) => batchNorm(ctx, l, input, x)],
  [LayerNormalization, (ctx, l, input, _o, x) => layerNorm(ctx, l, input, x)],
  [Embedding, (ctx, l: Embedding, _i, _o, x) => ctx.g.op("Gather", [ctx.weight(l.embeddings!), x], { axis: P.int(0) }, "embedding")],
]);

/** Adds one layer call to the graph; checks its input first. */
export function convertKerasLayer(ctx: ExportContext, l: Layer, input: Tensor, output: Tensor): void {
  const conv = KERAS_CONVERTERS.get(l.constructor)!;
  if (!(l instanceof Embedding)) requireFloat32(input, where(l));
  const x = ctx.value(input, where(l));
  ctx.set(output, conv(ctx, l, input, output, x));
}
