// Keras' core layers: Dense, Activation, Dropout, Flatten, Reshape.
import type { Tensor } from "../../../tensor/tensor.js";
import { fmtShape } from "../../../tensor/shape.js";
import { ShapeError, ValueError } from "../../../tensor/errors.js";
import { add, cast, matmul, reshape } from "../../../ops/api.js";
import { dropoutWithMask } from "../../../ops/dropout.js";
import { bernoulliMask, tfGenerator } from "../../../tensor/random_ops.js";
import { TorchGenerator } from "../../../tensor/random/torch_generator.js";
import type { Variable } from "../../variable.js";
import { Layer, isTraining, type CallArgs, type LayerArgs } from "../layer.js";
import { getActivation, activationName, type ActivationFn, type ActivationLike } from "../activations.js";
import type { InitializerLike } from "../initializers.js";
import { getRegularizer, type RegularizerLike } from "../regularizers.js";

/** Dense's input check, in Keras' words: at least 2-D (a batch of feature vectors). */
function requireMinNdim2(layer: Layer, shape: readonly (number | null)[]): void {
  if (shape.length < 2) {
    throw new ShapeError(`Input 0 of layer "${layer.name}" is incompatible with the layer: expected min_ndim=2, found ndim=${shape.length}. Full shape received: ${fmtShape(shape as number[])}`);
  }
}

export interface DenseArgs extends LayerArgs {
  /** A function or a name ("relu", "softmax", …); null or omitted is linear. */
  activation?: ActivationLike;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike;
  biasRegularizer?: RegularizerLike;
  /** A penalty on the layer's output, added to `losses` at each call. */
  activityRegularizer?: RegularizerLike;
}

/**
 * A fully connected layer, `activation(x · kernel + bias)`, with the kernel of shape
 * `[inputDim, units]` (Keras' layout) created on the first call from the input's last dimension:
 * glorot_uniform kernel and zeros bias by default.
 * @example new tf.keras.layers.Dense(1, { activation: null })
 */
export class Dense extends Layer {
  readonly units: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  private readonly init: { kernel: InitializerLike; bias: InitializerLike; kernelReg: RegularizerLike; biasReg: RegularizerLike; activityReg: ((x: Tensor) => Tensor) | null };

  constructor(units: number, args: DenseArgs = {}) {
    super(args);
    if (!Number.isInteger(units) || units <= 0) {
      throw new ValueError(`Dense: received an invalid value for units, expected a positive integer, got ${units}`);
    }
    this.units = units;
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.init = {
      kernel: args.kernelInitializer ?? "glorot_uniform",
      bias: args.biasInitializer ?? "zeros",
      kernelReg: args.kernelRegularizer,
      biasReg: args.biasRegularizer,
      activityReg: getRegularizer(args.activityRegularizer),
    };
  }

  override build(inputShape: readonly (number | null)[]): void {
    requireMinNdim2(this, inputShape ?? []);
    const last = inputShape[inputShape.length - 1];
    if (last === null) throw new ValueError(`${this.name}: the last dimension of the inputs to a Dense layer should be defined. Found None.`);
    this.kernel = this.addWeight({ name: "kernel", shape: [last, this.units], initializer: this.init.kernel, regularizer: this.init.kernelReg });
    if (this.useBias) this.bias = this.addWeight({ name: "bias", shape: [this.units], initializer: this.init.bias, regularizer: this.init.biasReg });
    this.built = true;
  }

  override call(inputs: Tensor): Tensor {
    const kernel = this.kernel!;
    const inDim = kernel.shape[0];
    requireMinNdim2(this, inputs.shape);
    if (inputs.shape[inputs.ndim - 1] !== inDim) {
      throw new ShapeError(
        `Input 0 of layer "${this.name}" is incompatible with the layer: expected axis -1 of input shape to have value ${inDim} (the layer was built with kernel shape ${fmtShape(kernel.shape)}), but received input with shape ${fmtShape(inputs.shape)}`,
      );
    }
    const x = inputs.dtype === this.dtype ? inputs : cast(inputs, this.dtype);
    let y = matmul(x, kernel);
    if (this.bias) y = add(y, this.bias);
    y = this.activation(y);
    if (this.init.activityReg) this.addLoss(this.init.activityReg(y));
    return y;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, activation: activationName(this.activation), useBias: this.useBias };
  }
}

/** Applies an activation function (by name or function). */
export class Activation extends Layer {
  readonly activation: ActivationFn;
  constructor(activation: ActivationLike, args: LayerArgs = {}) {
    super(args);
    this.activation = getActivation(activation);
  }
  override call(inputs: Tensor): Tensor {
    return this.activation(inputs);
  }
}

export interface DropoutArgs extends LayerArgs {
  /** The mask's shape, 1 where the mask is shared (e.g. `[batch, 1, features]`); null entries take the input's size. */
  noiseShape?: readonly (number | null)[];
  seed?: number;
}

/**
 * In training (`fit`, or a call with `{ training: true }`), zeroes inputs with probability `rate`
 * and scales the rest by 1/(1 − rate); otherwise passes inputs through.
 */
export class Dropout extends Layer {
  readonly rate: number;
  readonly noiseShape: readonly (number | null)[] | null;
  private readonly generator: TorchGenerator;

  constructor(rate: number, args: DropoutArgs = {}) {
    super(args);
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
      throw new ValueError(`Dropout: invalid value received for rate, expected a value between 0 and 1, got ${rate}`);
    }
    this.rate = rate;
    this.noiseShape = args.noiseShape ?? null;
    this.generator = args.seed === undefined ? tfGenerator : new TorchGenerator(args.seed);
  }

  override call(inputs: Tensor, kwargs?: CallArgs): Tensor {
    if (!isTraining(kwargs) || this.rate === 0) return inputs;
    if (this.rate === 1) return inputs.mul(0);
    const shape = this.noiseShape ? this.noiseShape.map((d, i) => d ?? inputs.shape[i]) : inputs.shape;
    const mask = bernoulliMask(shape, 1 - this.rate, inputs.dtype, this.generator);
    return dropoutWithMask(inputs, mask, this.rate);
  }
}

/** Flattens every axis but the batch axis: [N, ...] → [N, prod(...)] ([N] → [N, 1]). */
export class Flatten extends Layer {
  override call(inputs: Tensor): Tensor {
    if (inputs.ndim === 0) throw new ShapeError(`${this.name}: Flatten needs an input with a batch dimension, got a scalar`);
    return reshape(inputs, [inputs.shape[0], -1]);
  }
}

/** Reshapes every axis but the batch axis to `targetShape` (one entry may be -1). */
export class Reshape extends Layer {
  readonly targetShape: readonly number[];
  constructor(targetShape: readonly number[], args: LayerArgs = {}) {
    super(args);
    this.targetShape = targetShape.slice();
  }
  override call(inputs: Tensor): Tensor {
    return reshape(inputs, [inputs.shape[0], ...this.targetShape]);
  }
}
