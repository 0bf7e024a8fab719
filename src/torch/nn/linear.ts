// Linear layers: Linear, Bilinear, Identity, Flatten.
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { empty } from "../../tensor/creation.js";
import { fmtShape } from "../../tensor/shape.js";
import { ShapeError, ValueError } from "../../tensor/errors.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../../nn/init.js";
import { add, mul } from "../../ops/binary.js";
import { sum } from "../../ops/reduce.js";
import { flatten, permute, reshape, unsqueeze } from "../../ops/shape.js";
import { matmul } from "../../ops/linalg.js";
import { linear } from "./functional.js";
import { pyBool } from "./repr.js";

/** Options of layers with an optional bias. */
export interface BiasOptions {
  /** Learn an additive bias (true). */
  bias?: boolean;
  /** Dtype of the parameters (float32). */
  dtype?: DType;
}

function checkFeatures(layer: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${layer}: ${name} must be a non-negative integer, got ${n}`);
}

const biasOpts = (b: boolean | BiasOptions | undefined): BiasOptions => (typeof b === "boolean" ? { bias: b } : (b ?? {}));

/**
 * y = x·Wᵀ + b (`nn.Linear`): weight [outFeatures, inFeatures], bias [outFeatures], initialised as
 * PyTorch does (weight U(−1/√in, 1/√in) through kaiming_uniform_(a=√5), then bias the same), so
 * after `torch.manualSeed(s)` the initial values are PyTorch's.
 * @example
 * const linear = new nn.Linear(1, 1);
 * linear(torch.ones(200, 1)).shape; // [200, 1]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts?: boolean | BiasOptions) {
    super();
    checkFeatures("Linear", "in_features", inFeatures);
    checkFeatures("Linear", "out_features", outFeatures);
    const o = biasOpts(opts);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype: o.dtype }));
    this.bias = o.bias === false ? null : new Parameter(empty([outFeatures], { dtype: o.dtype }));
    this.resetParameters();
  }

  /** Re-draws weight and bias as the constructor does. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const { fanIn } = calculateFanInAndFanOut(this.weight.shape);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    const n = input.ndim === 0 ? 1 : input.shape[input.ndim - 1];
    if (input.ndim === 0 || n !== this.inFeatures) {
      const rows = input.ndim <= 1 ? 1 : input.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      throw new ShapeError(
        `${this.toString()}: mat1 and mat2 shapes cannot be multiplied (${rows}x${n} and ${this.inFeatures}x${this.outFeatures}); ` +
          `the input has shape ${fmtShape(input.shape)} but the layer expects ${this.inFeatures} features in its last dim`,
      );
    }
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * y = x1ᵀ·A·x2 + b (`nn.Bilinear`): weight [out, in1, in2], bias [out], both U(−1/√in1, 1/√in1).
 * @example new nn.Bilinear(3, 4, 2)(x1, x2) // x1 [B, 3], x2 [B, 4] -> [B, 2]
 */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts?: boolean | BiasOptions) {
    super();
    for (const [n, v] of [["in1_features", in1Features], ["in2_features", in2Features], ["out_features", outFeatures]] as const) checkFeatures("Bilinear", n, v);
    const o = biasOpts(opts);
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], { dtype: o.dtype }));
    this.bias = o.bias === false ? null : new Parameter(empty([outFeatures], { dtype: o.dtype }));
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    const [i1, i2, o] = [this.in1Features, this.in2Features, this.outFeatures];
    if (input1.ndim === 0 || input1.shape[input1.ndim - 1] !== i1 || input2.ndim === 0 || input2.shape[input2.ndim - 1] !== i2) {
      throw new ShapeError(`${this.toString()}: expected inputs [*, ${i1}] and [*, ${i2}], got ${fmtShape(input1.shape)} and ${fmtShape(input2.shape)}`);
    }
    const lead = input1.shape.slice(0, -1);
    // x1·A as one matmul: A laid out [in1, out·in2]; then the dot with x2 over in2.
    const a = reshape(permute(this.weight, [1, 0, 2]), [i1, o * i2]);
    const t = reshape(matmul(input1, a), [...lead, o, i2]);
    let y = sum(mul(t, unsqueeze(input2, -2)), -1);
    if (this.bias !== null) y = add(y, this.bias);
    return y;
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input (`nn.Identity`); a placeholder that keeps a model's structure. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * Flattens dims startDim..endDim (`nn.Flatten`, defaults 1 and −1: keeps the batch dim).
 * @example new nn.Flatten()(torch.zeros(32, 1, 28, 28)).shape // [32, 784]
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
