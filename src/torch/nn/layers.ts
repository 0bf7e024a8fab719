// Dropout, convolution, pooling, normalization and embedding modules over the core's ops.
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { arange, empty, ones, zeros, full } from "../../tensor/creation.js";
import { eq, where } from "../../ops/binary.js";
import { reshape } from "../../ops/shape.js";
import { DuogradError, ShapeError, ValueError } from "../../tensor/errors.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { calculateFanInAndFanOut, kaimingUniform_, normal_, uniform_ } from "../../nn/init.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { conv1d, conv2d, tupleArg, type IntOrTuple } from "../../ops/conv.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "../../ops/pool.js";
import { batchNorm, layerNorm } from "../../ops/normalization.js";
import { embedding } from "../../ops/embedding.js";
import { dropout } from "../../ops/dropout.js";
import { pyBool, pyFloat, pyIntOrTuple, pyTuple } from "./repr.js";

/** Re-raises a core error with the layer's repr in front, so the message says which layer failed. */
function named<T>(layer: Module, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DuogradError && !e.message.startsWith(layer.toString())) e.message = `${layer.toString()}: ${e.message}`;
    throw e;
  }
}

/**
 * Zeroes each element with probability p (0.5) in training and scales the rest by 1/(1−p); the
 * identity in eval mode.
 * @example const drop = new nn.Dropout(0.2); drop.eval(); drop(x) === x
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Options of Conv1d/Conv2d; the defaults are PyTorch's. */
export interface ConvLayerOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple | "same" | "valid";
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  dtype?: DType;
}

abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly groups: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(nd: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: number | ConvLayerOptions = {}) {
    super();
    const o: ConvLayerOptions = typeof opts === "number" ? { stride: opts } : opts;
    const name = `Conv${nd}d`;
    const groups = o.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new ValueError(`${name}: groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0) throw new ValueError(`${name}: in_channels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0) throw new ValueError(`${name}: out_channels (${outChannels}) must be divisible by groups (${groups})`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tupleArg(name, "kernel_size", kernelSize, nd, 1);
    this.stride = tupleArg(name, "stride", o.stride ?? 1, nd, 1);
    const pad = o.padding ?? 0;
    this.padding = typeof pad === "string" ? pad : tupleArg(name, "padding", pad, nd, 0);
    this.dilation = tupleArg(name, "dilation", o.dilation ?? 1, nd, 1);
    this.groups = groups;
    this.weight = new Parameter(empty([outChannels, inChannels / groups, ...this.kernelSize], { dtype: o.dtype }));
    this.bias = o.bias === false ? null : new Parameter(empty([outChannels], { dtype: o.dtype }));
    this.resetParameters();
  }

  /** kaiming_uniform_(a=√5) on the weight, bias U(−1/√fanIn, 1/√fanIn), as PyTorch. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const { fanIn } = calculateFanInAndFanOut(this.weight.shape);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }

  protected convOptions() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }
}

/**
 * 1-D convolution over [N, C, L] (`nn.Conv1d(inChannels, outChannels, kernelSize, opts)`).
 * @example new nn.Conv1d(2, 8, 3, { padding: 1 })
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: number | ConvLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }

  forward(input: Tensor): Tensor {
    return named(this, () => conv1d(input, this.weight, this.bias, this.convOptions()));
  }
}

/**
 * 2-D convolution over [N, C, H, W] (`nn.Conv2d(inChannels, outChannels, kernelSize, opts)`); a
 * number as fourth argument is the stride, as PyTorch's positional form.
 * @example new nn.Conv2d(1, 32, 3, 1)   // nn.Conv2d(1, 32, 3, 1)
 * @example new nn.Conv2d(3, 16, 3, { padding: 1 })
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: number | ConvLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }

  forward(input: Tensor): Tensor {
    return named(this, () => conv2d(input, this.weight, this.bias, this.convOptions()));
  }
}

/** Options of MaxPool2d. */
export interface MaxPoolLayerOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

/**
 * Max over kH×kW windows (`nn.MaxPool2d(kernelSize, stride?)`; stride defaults to the kernel).
 * @example new nn.MaxPool2d(2) // [N, C, 28, 28] -> [N, C, 14, 14]
 */
export class MaxPool2d extends Module {
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;

  constructor(kernelSize: IntOrTuple, opts: IntOrTuple | MaxPoolLayerOptions = {}) {
    super();
    const o: MaxPoolLayerOptions = typeof opts === "number" || Array.isArray(opts) ? { stride: opts as IntOrTuple } : (opts as MaxPoolLayerOptions);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
    this.returnIndices = o.returnIndices ?? false;
  }

  forward(input: Tensor): any {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return named(this, () => (this.returnIndices ? maxPool2d(input, this.kernelSize, { ...opts, returnIndices: true }) : maxPool2d(input, this.kernelSize, opts)));
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}, dilation=${pyIntOrTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Options of AvgPool2d. */
export interface AvgPoolLayerOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** Mean over kH×kW windows (`nn.AvgPool2d(kernelSize, stride?)`). */
export class AvgPool2d extends Module {
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: IntOrTuple, opts: IntOrTuple | AvgPoolLayerOptions = {}) {
    super();
    const o: AvgPoolLayerOptions = typeof opts === "number" || Array.isArray(opts) ? { stride: opts as IntOrTuple } : (opts as AvgPoolLayerOptions);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    return named(this, () =>
      avgPool2d(input, this.kernelSize, {
        stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
      }),
    );
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}

/** Averages each channel down to `outputSize` (`nn.AdaptiveAvgPool2d((1, 1))` = global average pooling). */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: number | readonly [number | null, number | null];

  constructor(outputSize: number | readonly [number | null, number | null]) {
    super();
    this.outputSize = outputSize;
  }

  forward(input: Tensor): Tensor {
    return named(this, () => adaptiveAvgPool2d(input, this.outputSize));
  }

  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${typeof o === "number" ? o : `(${o.map((v) => (v === null ? "None" : String(v))).join(", ")})`}`;
  }
}

/** Options of BatchNorm1d/2d; the defaults are PyTorch's. */
export interface BatchNormLayerOptions {
  eps?: number;
  /** Weight of the batch statistics in the running update (0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learnable per-channel weight and bias (true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (true). */
  trackRunningStats?: boolean;
  dtype?: DType;
}

abstract class BatchNormNd extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  /** Running mean per channel (buffer), updated in training mode. */
  declare runningMean: Tensor | null;
  /** Running (unbiased) variance per channel (buffer). */
  declare runningVar: Tensor | null;
  /** Number of training batches seen (buffer, int32 scalar). */
  declare numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new ValueError(`${this._getName()}: num_features must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype;
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("runningMean", zeros([numFeatures], { dtype }));
      this.registerBuffer("runningVar", ones([numFeatures], { dtype }));
      this.registerBuffer("numBatchesTracked", full([], 0, { dtype: "int32" }));
    } else {
      this.registerBuffer("runningMean", null);
      this.registerBuffer("runningVar", null);
      this.registerBuffer("numBatchesTracked", null);
    }
  }

  /** Running statistics back to mean 0, variance 1, count 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  protected abstract checkInputDim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked !== null) {
      const counter = this.numBatchesTracked;
      noGrad(() => counter.add_(1));
      if (this.momentum === null) factor = 1 / counter.item();
    }
    // Eval mode without running statistics still normalises with the batch's.
    const useBatch = this.training || (this.runningMean === null && this.runningVar === null);
    const track = !this.training || this.trackRunningStats;
    return named(this, () =>
      batchNorm(input, track ? this.runningMean : null, track ? this.runningVar : null, this.weight, this.bias, {
        training: useBatch, momentum: factor, eps: this.eps,
      }),
    );
  }

  override extraRepr(): string {
    const m = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalization over [N, C] or [N, C, L] (`nn.BatchNorm1d(numFeatures)`): batch statistics
 * and running-statistics updates in training mode, the running statistics in eval mode.
 * @example const bn = new nn.BatchNorm1d(16); bn(h); bn.eval();
 */
export class BatchNorm1d extends BatchNormNd {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) throw new ShapeError(`${this.toString()}: expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}

/** Batch normalization over [N, C, H, W] (`nn.BatchNorm2d(numFeatures)`). */
export class BatchNorm2d extends BatchNormNd {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new ShapeError(`${this.toString()}: expected 4D input (got ${input.ndim}D input)`);
  }
}

/** Options of LayerNorm. */
export interface LayerNormOptions {
  eps?: number;
  /** Learnable weight (ones) and bias (zeros) of `normalizedShape` (true). */
  elementwiseAffine?: boolean;
  dtype?: DType;
}

/**
 * Layer normalization over the trailing `normalizedShape` dims (`nn.LayerNorm(64)`).
 * @example new nn.LayerNorm(64)(x) // x [8, 10, 64]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype: opts.dtype })) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros(this.normalizedShape, { dtype: opts.dtype })) : null;
  }

  forward(input: Tensor): Tensor {
    return named(this, () => layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps));
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Options of Embedding. */
export interface EmbeddingLayerOptions {
  /** This row starts at zero and receives no gradient. */
  paddingIdx?: number | null;
  dtype?: DType;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (`nn.Embedding`), initialised
 * N(0, 1) as PyTorch; input is int32 indices of any shape.
 * @example new nn.Embedding(1000, 64)(tokens) // tokens [B, T] -> [B, T, 64]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingLayerOptions = {}) {
    super();
    let p = opts.paddingIdx ?? null;
    if (p !== null) {
      if (!Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings) {
        throw new ValueError(`Embedding: padding_idx must be within num_embeddings (${numEmbeddings}), got ${p}`);
      }
      if (p < 0) p += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = p;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype }));
    this.resetParameters();
  }

  /**
   * An Embedding holding `embeddings` [V, D]; frozen (no gradient) unless `freeze: false`.
   * @example nn.Embedding.fromPretrained(vectors, { freeze: false })
   */
  static fromPretrained(embeddings: Tensor, opts: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new ShapeError(`Embedding.fromPretrained: embeddings parameter is expected to be 2-dimensional, got shape [${embeddings.shape.join(", ")}]`);
    const e = new Embedding(embeddings.shape[0], embeddings.shape[1], { paddingIdx: opts.paddingIdx, dtype: embeddings.dtype });
    noGrad(() => e.weight.copy_(embeddings));
    e.weight.requiresGrad = !(opts.freeze ?? true);
    return e;
  }

  resetParameters(): void {
    normal_(this.weight);
    const p = this.paddingIdx;
    if (p !== null) {
      const w = this.weight;
      const isPad = eq(reshape(arange(0, this.numEmbeddings, 1, { dtype: "int32" }), [this.numEmbeddings, 1]), p);
      noGrad(() => w.copy_(where(isPad, 0, w)));
    }
  }

  forward(input: Tensor): Tensor {
    return named(this, () => embedding(input, this.weight, { paddingIdx: this.paddingIdx }));
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ""}`;
  }
}
