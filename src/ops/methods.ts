// Attaches the ops to Tensor as methods (`x.add(y)`, `x.sum(1, true)`), PyTorch's names, which
// the tf dialect shares. Tensor's own file cannot import the ops (ops sit above tensors).
import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { fmtShape } from "../tensor/shape.js";
import { AutogradError, DTypeError, ShapeError } from "../tensor/errors.js";
import { aliasOf } from "./apply.js";
import { inplace, inplaceAddScaled, inplaceBinary, inplaceFill } from "./inplace.js";
import * as U from "./unary.js";
import * as B from "./binary.js";
import * as R from "./reduce.js";
import * as S from "./shape.js";
import * as I from "./indexing.js";
import { matmul } from "./linalg.js";
import { logSoftmax, softmax } from "./softmax.js";
import type { TensorLike } from "./util.js";
import { backward } from "../autograd/engine.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import * as R0 from "../tensor/random_ops.js";
import { indexAdd, indexSelect, maskedFill } from "./embedding.js";

// Random fills are in-place writes: refused on a leaf that requires grad while recording, as PyTorch.
function randomFill(op: string, t: Tensor, fill: () => Tensor): Tensor {
  if (isGradEnabled() && t.requiresGrad && t.gradFn === null) {
    throw new AutogradError(`${op}: a leaf Variable that requires grad is being used in an in-place operation (shape ${fmtShape(t.shape)}); wrap it in noGrad`);
  }
  return fill();
}

type Dims = R.Dims;

declare module "../tensor/tensor.js" {
  interface Tensor {
    add(other: TensorLike, alpha?: number): Tensor;
    sub(other: TensorLike, alpha?: number): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    log1p(): Tensor;
    expm1(): Tensor;
    erf(): Tensor;
    reciprocal(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    logicalNot(): Tensor;
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    /** Transpose of a ≤2-D tensor. */
    t(): Tensor;
    /** Reversed dims (`x.T`). */
    readonly T: Tensor;
    /** Last two dims swapped. */
    readonly mT: Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    permute(...dims: (number | readonly number[])[]): Tensor;
    reshape(...shape: (number | readonly number[])[]): Tensor;
    view(...shape: (number | readonly number[])[]): Tensor;
    viewAs(other: Tensor): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(...shape: (number | readonly number[])[]): Tensor;
    expandAs(other: Tensor): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    /** duograd's tensors are always contiguous: returns itself. */
    contiguous(): Tensor;
    sum(dim?: Dims, keepdim?: boolean): Tensor;
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    prod(dim?: Dims, keepdim?: boolean): Tensor;
    var(dim?: Dims, opts?: { correction?: number; keepdim?: boolean }): Tensor;
    std(dim?: Dims, opts?: { correction?: number; keepdim?: boolean }): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): R.ValuesIndices;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): R.ValuesIndices;
    amax(dim?: Dims, keepdim?: boolean): Tensor;
    amin(dim?: Dims, keepdim?: boolean): Tensor;
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    logsumexp(dim: Dims, keepdim?: boolean): Tensor;
    norm(p?: number, dim?: Dims, keepdim?: boolean): Tensor;
    cumsum(dim: number): Tensor;
    any(dim?: Dims, keepdim?: boolean): Tensor;
    all(dim?: Dims, keepdim?: boolean): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    split(size: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    maskedFill(mask: Tensor, value: TensorLike): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, alpha?: number): Tensor;
    /** A copy with its own storage (recorded). */
    clone(): Tensor;
    /** The same storage, cut from the graph. */
    detach(): Tensor;
    /** PyTorch's `.data`: the same storage, cut from the graph. */
    readonly data: Tensor;
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    /** Accumulates d(this)/d(leaf) into every leaf's `.grad`. */
    backward(gradient?: Tensor | null, opts?: { retainGraph?: boolean; createGraph?: boolean }): void;
    /** Keep `.grad` on this non-leaf after backward. */
    retainGrad(): void;
    requiresGrad_(requiresGrad?: boolean): Tensor;
    add_(other: TensorLike, alpha?: number): Tensor;
    sub_(other: TensorLike, alpha?: number): Tensor;
    mul_(other: TensorLike): Tensor;
    div_(other: TensorLike): Tensor;
    pow_(exponent: TensorLike): Tensor;
    clamp_(min?: TensorLike | null, max?: TensorLike | null): Tensor;
    zero_(): Tensor;
    fill_(value: number): Tensor;
    copy_(src: Tensor): Tensor;
    detach_(): Tensor;
    /** Fills in place with U(from, to) from the global generator (PyTorch's numbers after torch.manualSeed). */
    uniform_(from?: number, to?: number): Tensor;
    /** Fills in place with N(mean, std²) from the global generator. */
    normal_(mean?: number, std?: number): Tensor;
  }
}

const shapeArgs = (args: readonly (number | readonly number[])[]): number[] =>
  args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]).slice();

const scaled = (other: TensorLike, alpha: number | undefined): TensorLike =>
  alpha === undefined || alpha === 1 ? other : B.mul(other, alpha);

const P = Tensor.prototype;

function def(name: string, fn: (this: Tensor, ...args: any[]) => unknown): void {
  Object.defineProperty(P, name, { value: fn, writable: true, configurable: true });
}
function getter(name: string, fn: (this: Tensor) => unknown): void {
  Object.defineProperty(P, name, { get: fn, configurable: true });
}

def("add", function (o: TensorLike, alpha?: number) { return B.add(this, scaled(o, alpha)); });
def("sub", function (o: TensorLike, alpha?: number) { return B.sub(this, scaled(o, alpha)); });
def("mul", function (o: TensorLike) { return B.mul(this, o); });
def("div", function (o: TensorLike) { return B.div(this, o); });
def("pow", function (o: TensorLike) { return typeof o === "number" ? U.powScalar(this, o) : B.pow(this, o); });
def("maximum", function (o: TensorLike) { return B.maximum(this, o); });
def("minimum", function (o: TensorLike) { return B.minimum(this, o); });
for (const name of ["neg", "exp", "log", "sqrt", "rsqrt", "square", "abs", "sign", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "log1p", "expm1", "erf", "reciprocal", "floor", "ceil", "round", "logicalNot"] as const) {
  const f = U[name] as (x: Tensor) => Tensor;
  def(name, function () { return f(this); });
}
for (const name of ["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr"] as const) {
  const f = B[name];
  def(name, function (o: TensorLike) { return f(this, o); });
}
def("clamp", function (min?: TensorLike | null, max?: TensorLike | null) { return B.clamp(this, min ?? null, max ?? null); });
def("matmul", function (o: Tensor) { return matmul(this, o); });
def("mm", function (o: Tensor) {
  if (this.ndim !== 2 || o.ndim !== 2) throw new ShapeError(`mm: expected 2-D tensors, got ${fmtShape(this.shape)} and ${fmtShape(o.shape)}`);
  return matmul(this, o);
});
def("t", function () {
  if (this.ndim > 2) throw new ShapeError(`t: expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
  return this.ndim < 2 ? this : S.transpose(this, 0, 1);
});
getter("T", function () { return S.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); });
getter("mT", function () { return S.transpose(this, -2, -1); });
def("transpose", function (a: number, b: number) { return S.transpose(this, a, b); });
def("permute", function (...dims: (number | readonly number[])[]) { return S.permute(this, shapeArgs(dims)); });
def("reshape", function (...s: (number | readonly number[])[]) { return S.reshape(this, shapeArgs(s)); });
def("view", function (...s: (number | readonly number[])[]) { return S.reshape(this, shapeArgs(s)); });
def("viewAs", function (o: Tensor) { return S.reshape(this, o.shape); });
def("squeeze", function (dim?: number | readonly number[]) { return S.squeeze(this, dim); });
def("unsqueeze", function (dim: number) { return S.unsqueeze(this, dim); });
def("expand", function (...s: (number | readonly number[])[]) { return S.expand(this, shapeArgs(s)); });
def("expandAs", function (o: Tensor) { return S.expand(this, o.shape); });
def("flatten", function (s?: number, e?: number) { return S.flatten(this, s, e); });
def("contiguous", function () { return this; });
def("sum", function (d?: Dims, k?: boolean) { return R.sum(this, d, k); });
def("mean", function (d?: Dims, k?: boolean) { return R.mean(this, d, k); });
def("prod", function (d?: Dims, k?: boolean) { return R.prod(this, d, k); });
def("var", function (d?: Dims, o?: { correction?: number; keepdim?: boolean }) { return R.variance(this, d, o); });
def("std", function (d?: Dims, o?: { correction?: number; keepdim?: boolean }) { return R.std(this, d, o); });
def("max", function (d?: number, k?: boolean) { return d === undefined ? R.max(this) : R.max(this, d, k); });
def("min", function (d?: number, k?: boolean) { return d === undefined ? R.min(this) : R.min(this, d, k); });
def("amax", function (d?: Dims, k?: boolean) { return R.amax(this, d, k); });
def("amin", function (d?: Dims, k?: boolean) { return R.amin(this, d, k); });
def("argmax", function (d?: number | null, k?: boolean) { return R.argmax(this, d, k); });
def("argmin", function (d?: number | null, k?: boolean) { return R.argmin(this, d, k); });
def("logsumexp", function (d: Dims, k?: boolean) { return R.logsumexp(this, d, k); });
def("norm", function (p?: number, d?: Dims, k?: boolean) { return R.norm(this, p, d, k); });
def("cumsum", function (d: number) { return R.cumsum(this, d); });
def("any", function (d?: Dims, k?: boolean) { return R.any(this, d, k); });
def("all", function (d?: Dims, k?: boolean) { return R.all(this, d, k); });
def("softmax", function (d: number) { return softmax(this, d); });
def("logSoftmax", function (d: number) { return logSoftmax(this, d); });
def("gather", function (d: number, i: Tensor) { return I.gather(this, d, i); });
def("scatterAdd", function (d: number, i: Tensor, s: Tensor) { return I.scatterAdd(this, d, i, s); });
def("narrow", function (d: number, s: number, l: number) { return S.narrow(this, d, s, l); });
def("select", function (d: number, i: number) { return S.select(this, d, i); });
def("split", function (s: number | readonly number[], d?: number) { return S.split(this, s, d); });
def("chunk", function (c: number, d?: number) { return S.chunk(this, c, d); });
def("maskedFill", function (mask: Tensor, v: TensorLike) { return maskedFill(this, mask, v); });
def("indexSelect", function (d: number, i: Tensor) { return indexSelect(this, d, i); });
def("indexAdd", function (d: number, i: Tensor, src: Tensor, alpha?: number) { return indexAdd(this, d, i, src, alpha); });
def("clone", function () { return U.clone(this); });
def("detach", function () { return aliasOf(this); });
getter("data", function () { return aliasOf(this); });
def("to", function (d: DType) { return U.cast(this, d); });
def("float", function () { return U.cast(this, "float32"); });
def("double", function () { return U.cast(this, "float64"); });
def("int", function () { return U.cast(this, "int32"); });
def("bool", function () { return U.cast(this, "bool"); });
def("backward", function (g?: Tensor | null, o?: { retainGraph?: boolean; createGraph?: boolean }) { backward(this, g, o); });
def("retainGrad", function () { this._retainsGrad = true; });
def("requiresGrad_", function (on = true) {
  if (on && this.dtype !== "float32" && this.dtype !== "float64") {
    throw new DTypeError(`requiresGrad_: only tensors of floating point dtype can require gradients (got ${this.dtype})`);
  }
  if (!on && this.gradFn !== null) throw new AutogradError("requiresGrad_: you can only change requiresGrad flags of leaf variables");
  this.requiresGrad = on;
  return this;
});
def("add_", function (o: TensorLike, alpha?: number) {
  if (alpha !== undefined && alpha !== 1) return inplaceAddScaled("add_", this, o, alpha) ?? inplaceBinary("add_", this, "add", B.mul(o, alpha));
  return inplaceBinary("add_", this, "add", o);
});
def("sub_", function (o: TensorLike, alpha?: number) {
  if (alpha !== undefined && alpha !== 1) return inplaceAddScaled("sub_", this, o, -alpha) ?? inplaceBinary("sub_", this, "sub", B.mul(o, alpha));
  return inplaceBinary("sub_", this, "sub", o);
});
def("mul_", function (o: TensorLike) { return inplaceBinary("mul_", this, "mul", o); });
def("div_", function (o: TensorLike) { return inplaceBinary("div_", this, "div", o); });
def("pow_", function (o: TensorLike) { return inplace("pow_", this, (x) => (typeof o === "number" ? U.powScalar(x, o) : B.pow(x, o))); });
def("clamp_", function (min?: TensorLike | null, max?: TensorLike | null) { return inplace("clamp_", this, (x) => B.clamp(x, min ?? null, max ?? null)); });
def("zero_", function () { return inplaceFill("zero_", this, 0); });
def("fill_", function (v: number) { return inplaceFill("fill_", this, v); });
def("copy_", function (src: Tensor) { return inplace("copy_", this, (x) => U.clone(S.expand(U.cast(src, x.dtype), x.shape))); });
def("uniform_", function (from = 0, to = 1) { return randomFill("uniform_", this, () => R0.uniform_(this, from, to)); });
def("normal_", function (mean = 0, std = 1) { return randomFill("normal_", this, () => R0.normal_(this, mean, std)); });
def("detach_", function () {
  this.gradFn = null;
  this.requiresGrad = false;
  return this;
});
