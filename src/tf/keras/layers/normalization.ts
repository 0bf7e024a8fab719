// Keras' normalization layers and Embedding.
import { Tensor } from "../../../tensor/tensor.js";
import { convertToTensor, type TensorInput } from "../../convert.js";
import { fmtShape, normDims } from "../../../tensor/shape.js";
import { ShapeError, ValueError } from "../../../tensor/errors.js";
import { add, cast, embedding, layerNorm, mean, mul, permute, reshape, rsqrt, square, sub } from "../../../ops/api.js";
import { noGrad } from "../../../autograd/grad_mode.js";
import type { Variable } from "../../variable.js";
import { Layer, isTraining, type CallArgs, type LayerArgs } from "../layer.js";
import type { InitializerLike } from "../initializers.js";
import type { RegularizerLike } from "../regularizers.js";

export interface BatchNormalizationArgs extends LayerArgs {
  /** The feature axis (default -1, the channels of channels-last images). */
  axis?: number;
  /** Weight of the old value in the moving averages (default 0.99). */
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerLike;
  gammaInitializer?: InitializerLike;
  movingMeanInitializer?: InitializerLike;
  movingVarianceInitializer?: InitializerLike;
  betaRegularizer?: RegularizerLike;
  gammaRegularizer?: RegularizerLike;
}

/**
 * Keras' BatchNormalization. In training it normalizes with the batch's mean and (biased)
 * variance and updates the moving statistics, `moving = moving·momentum + batch·(1 − momentum)`;
 * otherwise (and when the layer is frozen, `trainable = false`) it uses the moving statistics.
 * As TensorFlow, 4-D inputs normalized over their channel axis (the fused kernel) feed the moving
 * variance with the unbiased batch variance, other inputs with the biased one.
 */
export class BatchNormalization extends Layer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;
  private readonly init: Required<Pick<BatchNormalizationArgs, "betaInitializer" | "gammaInitializer" | "movingMeanInitializer" | "movingVarianceInitializer">> & {
    betaReg: RegularizerLike;
    gammaReg: RegularizerLike;
  };

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ValueError(`BatchNormalization: momentum must be in [0, 1], got ${this.momentum}`);
    if (!(this.epsilon > 0)) throw new ValueError(`BatchNormalization: epsilon must be positive, got ${this.epsilon}`);
    this.init = {
      betaInitializer: args.betaInitializer ?? "zeros",
      gammaInitializer: args.gammaInitializer ?? "ones",
      movingMeanInitializer: args.movingMeanInitializer ?? "zeros",
      movingVarianceInitializer: args.movingVarianceInitializer ?? "ones",
      betaReg: args.betaRegularizer,
      gammaReg: args.gammaRegularizer,
    };
  }

  override build(inputShape: readonly (number | null)[]): void {
    const nd = inputShape.length;
    const [ax] = normDims(this.name, this.axis, nd);
    const c = inputShape[ax];
    if (c === null) throw new ValueError(`${this.name}: axis ${this.axis} of the input shape should have a defined dimension, got shape ${JSON.stringify(inputShape)}`);
    const shape = [c];
    if (this.scale) this.gamma = this.addWeight({ name: "gamma", shape, initializer: this.init.gammaInitializer, regularizer: this.init.gammaReg });
    if (this.center) this.beta = this.addWeight({ name: "beta", shape, initializer: this.init.betaInitializer, regularizer: this.init.betaReg });
    this.movingMean = this.addWeight({ name: "moving_mean", shape, initializer: this.init.movingMeanInitializer, trainable: false });
    this.movingVariance = this.addWeight({ name: "moving_variance", shape, initializer: this.init.movingVarianceInitializer, trainable: false });
    this.built = true;
  }

  override call(inputs: Tensor, kwargs?: CallArgs): Tensor {
    const [ax] = normDims(this.name, this.axis, inputs.ndim);
    const c = this.movingMean!.shape[0];
    if (inputs.shape[ax] !== c) {
      throw new ShapeError(`Input 0 of layer "${this.name}" is incompatible with the layer: expected axis ${this.axis} of input shape to have value ${c}, but received input with shape ${fmtShape(inputs.shape)}`);
    }
    const x = inputs.dtype === this.dtype ? inputs : cast(inputs, this.dtype);
    const reduce = x.shape.map((_, i) => i).filter((i) => i !== ax);
    // Per-feature vectors broadcast along the feature axis.
    const bshape = x.shape.map((n, i) => (i === ax ? n : 1));
    const b = (v: Tensor) => reshape(v, bshape);
    let mu: Tensor;
    let variance: Tensor;
    if (isTraining(kwargs) && this.trainable) {
      mu = mean(x, reduce, true);
      variance = mean(square(sub(x, mu)), reduce, true);
      const n = x.numel() / c;
      const fused = x.ndim === 4 && (ax === 3 || ax === 1);
      noGrad(() => {
        const m = this.momentum;
        const batchVar = fused && n > 1 ? mul(variance, n / (n - 1)) : variance;
        this.movingMean!.assign(add(mul(this.movingMean!, m), mul(reshape(mu, [c]), 1 - m)));
        this.movingVariance!.assign(add(mul(this.movingVariance!, m), mul(reshape(batchVar, [c]), 1 - m)));
      });
    } else {
      mu = b(this.movingMean!);
      variance = b(this.movingVariance!);
    }
    let y = mul(sub(x, mu), rsqrt(add(variance, this.epsilon)));
    if (this.gamma) y = mul(y, b(this.gamma));
    if (this.beta) y = add(y, b(this.beta));
    return y;
  }
}

export interface LayerNormalizationArgs extends LayerArgs {
  /** The axis or axes normalized over (default -1). */
  axis?: number | readonly number[];
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: InitializerLike;
  gammaInitializer?: InitializerLike;
}

/** Keras' LayerNormalization: each sample normalized over `axis` (biased variance, epsilon 1e-3). */
export class LayerNormalization extends Layer {
  readonly axis: number | readonly number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  private readonly init: { beta: InitializerLike; gamma: InitializerLike };

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.init = { beta: args.betaInitializer ?? "zeros", gamma: args.gammaInitializer ?? "ones" };
  }

  private axes(nd: number): number[] {
    return normDims(this.name, this.axis, nd).sort((a, b) => a - b);
  }

  override build(inputShape: readonly (number | null)[]): void {
    const axes = this.axes(inputShape.length);
    const shape = axes.map((a) => inputShape[a]);
    if (shape.some((d) => d === null)) throw new ValueError(`${this.name}: the normalized axes need defined sizes, got input shape ${JSON.stringify(inputShape)}`);
    if (this.scale) this.gamma = this.addWeight({ name: "gamma", shape: shape as number[], initializer: this.init.gamma });
    if (this.center) this.beta = this.addWeight({ name: "beta", shape: shape as number[], initializer: this.init.beta });
    this.built = true;
  }

  override call(inputs: Tensor): Tensor {
    const x = inputs.dtype === this.dtype ? inputs : cast(inputs, this.dtype);
    const axes = this.axes(x.ndim);
    // The normalized axes moved last, where layer_norm works, then moved back.
    const rest = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...rest, ...axes];
    const moved = permute(x, perm);
    const y = layerNorm(moved, axes.map((a) => x.shape[a]), this.gamma, this.beta, this.epsilon);
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return permute(y, inv);
  }
}

export interface EmbeddingArgs extends LayerArgs {
  embeddingsInitializer?: InitializerLike;
  embeddingsRegularizer?: RegularizerLike;
}

/** Looks up rows of an [inputDim, outputDim] table by integer index: [...] → [..., outputDim]. */
export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  embeddings: Variable | null = null;
  private readonly init: { emb: InitializerLike; reg: RegularizerLike };

  constructor(inputDim: number, outputDim: number, args: EmbeddingArgs = {}) {
    super(args);
    if (!Number.isInteger(inputDim) || inputDim <= 0 || !Number.isInteger(outputDim) || outputDim <= 0) {
      throw new ValueError(`Embedding: both inputDim and outputDim should be positive, found inputDim ${inputDim} and outputDim ${outputDim}`);
    }
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.init = { emb: args.embeddingsInitializer ?? "uniform", reg: args.embeddingsRegularizer };
  }

  override build(): void {
    this.embeddings = this.addWeight({ name: "embeddings", shape: [this.inputDim, this.outputDim], initializer: this.init.emb, regularizer: this.init.reg });
    this.built = true;
  }

  // Indices are not cast to the layer's float dtype (arrays become int32 tensors).
  protected override _convertInputs(inputs: unknown): unknown {
    if (inputs instanceof Tensor) return inputs;
    return convertToTensor(inputs as TensorInput, "int32");
  }

  override call(inputs: Tensor): Tensor {
    const idx = inputs.dtype === "int32" ? inputs : cast(inputs, "int32");
    return embedding(idx, this.embeddings!);
  }
}
