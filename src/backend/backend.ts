import type { TypedArray } from "../tensor/dtype.js";
import type { Shape } from "../tensor/shape.js";

/** Elementwise kernels of one input; `p0`, `p1` carry the op's numeric attributes. */
export type UnaryKernel =
  | "neg" | "exp" | "log" | "sqrt" | "rsqrt" | "square" | "abs" | "sign" | "sin" | "cos" | "tan"
  | "tanh" | "sigmoid" | "relu" | "log1p" | "expm1" | "erf" | "reciprocal" | "floor" | "ceil"
  | "round" | "trunc" | "logical_not" | "leaky_relu" | "elu" | "softplus" | "gelu" | "gelu_tanh"
  | "silu" | "pow_scalar" | "rpow_scalar" | "isnan" | "isinf" | "isfinite" | "copy";

/** Elementwise kernels of two broadcast inputs. Comparisons and logical ops write 0/1. */
export type BinaryKernel =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "atan2" | "fmod" | "remainder"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "logical_and" | "logical_or" | "logical_xor"
  /** a·(2b), 2b rounded to the dtype first (square's gradient); operands of one length, no broadcast. */
  | "square_backward"
  /** 0 where b ≤ 0, else a (a NaN b passes a): relu's gradient a from its result b (threshold_backward). */
  | "relu_backward";

/** Reductions over a set of axes. */
export type ReduceKernel = "sum" | "prod" | "max" | "min" | "any" | "all";

/** The batch layout of a (possibly broadcast, possibly transposed) batched matrix product. */
export interface MatmulLayout {
  m: number;
  k: number;
  n: number;
  /** Element offset of each batch's A and B, and C's batches are contiguous. */
  aOffsets: ArrayLike<number>;
  bOffsets: ArrayLike<number>;
  /** A is stored as [k, m] (A^T contiguous); B as [n, k]. */
  transA: boolean;
  transB: boolean;
}

/** Geometry of a 2-D sliding window over [N, C, H, W] (conv and pooling). */
export interface WindowGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  oh: number;
  ow: number;
}

/**
 * A backend: the kernels on flat typed arrays. These are the only loops over elements in duograd;
 * ops above call them and never touch elements themselves. Inputs are contiguous row-major
 * buffers of the op's compute dtype; outputs are preallocated.
 */
export interface Backend {
  readonly name: string;
  unary(op: UnaryKernel, x: TypedArray, out: TypedArray, p0: number, p1: number): void;
  binary(op: BinaryKernel, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  where(cond: TypedArray, cShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  /**
   * out = a + alpha·b over arrays of one float dtype and length (out may be a or b): PyTorch's
   * `add_(b, alpha)`. The product and the sum are each rounded to the dtype, as a multiply
   * then an add would round them (float32: alpha is rounded to float32 first).
   */
  addScaled(a: TypedArray, b: TypedArray, alpha: number, out: TypedArray): void;
  /**
   * PyTorch's Adam step (no weight decay, no amsgrad), in place on p, m, v of one float dtype and
   * length: m = m·β1 + g·(1−β1); v = v·β2 + (g·(1−β2))·g; p = p + (m·(−step))/(√v / bc2 + ε).
   * Every operation rounds to the dtype as the separate ops would (scalars rounded first).
   */
  adamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, beta1: number, beta2: number, step: number, bc2: number, eps: number): void;
  /**
   * Keras' Adam step (no amsgrad), in place on p, m, v of one float dtype and length:
   * m = m + (g − m)·(1−β1); v = v + (g·g − v)·(1−β2); p = p − (m·alpha)/(√v + ε). Rounded as
   * the separate ops would round, like adamUpdate.
   */
  kerasAdamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, beta1: number, beta2: number, alpha: number, eps: number): void;
  /**
   * RMSprop's step (no weight decay, momentum or centering), in place on p, v. PyTorch's:
   * v = v·α + (g·(1−α))·g; p = p + (g·(−lr))/(√v + ε). Keras' when `keras` (α is its ρ):
   * v = v·ρ + (g·g)·(1−ρ); p = p − (g·lr)·rsqrt(v + ε), the reciprocal root rounded once as the
   * rsqrt op rounds it. Rounded as the separate ops would.
   */
  rmspropUpdate(p: TypedArray, g: TypedArray, v: TypedArray, alpha: number, lr: number, eps: number, keras: boolean): void;
  /**
   * Adagrad's step (no weight decay), in place on p and the accumulator a: a = a + g·g; then
   * PyTorch's p = p + (g·(−lr))/(√a + ε), or Keras' p = p − (g·lr)/√(a + ε) when `keras`.
   * Rounded as the separate ops would.
   */
  adagradUpdate(p: TypedArray, g: TypedArray, a: TypedArray, lr: number, eps: number, keras: boolean): void;
  /**
   * SGD's step with momentum, in place on p and the buffer b. PyTorch's (once its buffer exists,
   * no weight decay): b = b·μ + g·(1−dampening); p = p + d·(−lr) with d = b, or d = g + b·μ when
   * `nesterov`. Keras' when `keras` (dampening unused): s = (−g)·lr; b = s + b·μ; p = p + d with
   * d = b, or s + b·μ when `nesterov`. Rounded as the separate ops would.
   */
  sgdMomentumUpdate(p: TypedArray, g: TypedArray, b: TypedArray, momentum: number, dampening: number, lr: number, nesterov: boolean, keras: boolean): void;
  /**
   * mse_loss (mean or sum) over x, y of one float dtype and length: out[0] = Σ (x−y)², each
   * difference and square rounded to the dtype and the sum taken as this backend's `reduce`
   * "sum" takes it, then for a mean divided by the length in the dtype, as the mean op divides.
   */
  mseLoss(x: TypedArray, y: TypedArray, mean: boolean, out: TypedArray): void;
  /** PyTorch's mse_loss_backward: out = (norm·(x − y))·g, each step rounded to the dtype (norm and g first). */
  mseLossBackward(x: TypedArray, y: TypedArray, norm: number, g: number, out: TypedArray): void;
  /** Converts between dtypes; to bool means `!= 0`. */
  cast(x: TypedArray, out: TypedArray, toBool: boolean): void;
  fill(out: TypedArray, value: number): void;
  /** out[i] = start + i * step. */
  arange(out: TypedArray, start: number, step: number): void;
  /** Reduces `axes` (sorted, unique) of x; out has the kept dims' shape. */
  reduce(op: ReduceKernel, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void;
  /** Index of the max/min along `axis` (first one on ties, NaN wins as in PyTorch). */
  argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number, out: TypedArray): void;
  /** Inclusive cumulative sum along `axis`, from the end when `reverse`. */
  cumsum(x: TypedArray, shape: Shape, axis: number, reverse: boolean, out: TypedArray): void;
  /** out[i] = x[offset + Σ idx_d * strides_d] over out's shape: permute, expand, slice. */
  stridedGather(x: TypedArray, offset: number, strides: readonly number[], outShape: Shape, out: TypedArray): void;
  /** dst[offset + Σ idx_d * strides_d] += src[i] over src's shape: the adjoint of stridedGather. */
  stridedScatterAdd(src: TypedArray, srcShape: Shape, dst: TypedArray, offset: number, strides: readonly number[]): void;
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, layout: MatmulLayout): void;
  /** torch.gather along `dim`; index has the output's shape. */
  gather(x: TypedArray, xShape: Shape, dim: number, index: TypedArray, indexShape: Shape, out: TypedArray): void;
  /** dst.scatter_add_(dim, index, src) in place; index has src's shape. */
  scatterAdd(dst: TypedArray, dstShape: Shape, dim: number, index: TypedArray, indexShape: Shape, src: TypedArray): void;
  /** Unfolds [N,C,H,W] into columns [N, C*kh*kw, oh*ow]; out-of-image taps read `padValue`. */
  im2col(x: TypedArray, g: WindowGeometry, padValue: number, out: TypedArray): void;
  /** The adjoint of im2col: adds columns back into a zeroed [N,C,H,W] image. */
  col2im(cols: TypedArray, g: WindowGeometry, out: TypedArray): void;
}
