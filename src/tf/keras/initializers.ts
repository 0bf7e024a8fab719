// Keras' weight initializers. They draw from the tf generator (`tf.random.setSeed`), or from their
// own generator when given a `seed` (then every call gives the same values, as in Keras 2).
import { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { isFloating } from "../../tensor/dtype.js";
import { ValueError } from "../../tensor/errors.js";
import { full, eye } from "../../tensor/creation.js";
import { numel } from "../../tensor/shape.js";
import { newBuffer } from "../../tensor/storage.js";
import { normal_, tfGenerator, uniform_ } from "../../tensor/random_ops.js";
import { TorchGenerator } from "../../tensor/random/torch_generator.js";
import { truncatedNormal } from "../random.js";
import { mul } from "../../ops/api.js";
import { CallableObject } from "../../nn/callable.js";
import { calculateFanInAndFanOut } from "../../nn/init.js";
import { toSnakeCase } from "./names.js";

/**
 * Base class of initializers: callable as `init(shape, dtype)`, returning a new tensor.
 * @example new tf.keras.initializers.GlorotUniform()([3, 2])
 */
export interface Initializer {
  (shape: readonly number[], dtype?: DType): Tensor;
}
export abstract class Initializer extends CallableObject {
  /** The values for a weight of `shape`. */
  abstract override call(shape: readonly number[], dtype: DType): Tensor;

  protected override _call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    return this.call(shape, dtype);
  }

  /** Keras' config: the constructor arguments. */
  getConfig(): Record<string, unknown> {
    return {};
  }
}

function floatOnly(name: string, dtype: DType): void {
  if (!isFloating(dtype)) throw new ValueError(`${name}: expected a floating point dtype, got ${dtype}`);
}

function generatorFor(seed: number | null | undefined): TorchGenerator {
  return seed === undefined || seed === null ? tfGenerator : new TorchGenerator(seed);
}

function uniformTensor(shape: readonly number[], lo: number, hi: number, dtype: DType, seed?: number | null): Tensor {
  const t = new Tensor(newBuffer(dtype, numel(shape)), shape.slice(), dtype);
  return uniform_(t, lo, hi, generatorFor(seed));
}

function normalTensor(shape: readonly number[], mean: number, std: number, dtype: DType, gen: TorchGenerator): Tensor {
  const t = new Tensor(newBuffer(dtype, numel(shape)), shape.slice(), dtype);
  return normal_(t, mean, std, gen);
}

/** All zeros. @example new tf.keras.initializers.Zeros()([2, 3]) */
export class Zeros extends Initializer {
  override call(shape: readonly number[], dtype: DType): Tensor {
    return full(shape, 0, { dtype });
  }
}

/** All ones. */
export class Ones extends Initializer {
  override call(shape: readonly number[], dtype: DType): Tensor {
    return full(shape, 1, { dtype });
  }
}

/** `value` (0) everywhere. @example new tf.keras.initializers.Constant(0.1) */
export class Constant extends Initializer {
  readonly value: number;
  constructor(value = 0) {
    super();
    this.value = value;
  }
  override call(shape: readonly number[], dtype: DType): Tensor {
    return full(shape, this.value, { dtype });
  }
  override getConfig() {
    return { value: this.value };
  }
}

export interface RandomOptions {
  seed?: number | null;
}

/** N(mean, stddev²); Keras' defaults mean 0, stddev 0.05. */
export class RandomNormal extends Initializer {
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | null;
  constructor(opts: RandomOptions & { mean?: number; stddev?: number } = {}) {
    super();
    this.mean = opts.mean ?? 0;
    this.stddev = opts.stddev ?? 0.05;
    this.seed = opts.seed ?? null;
  }
  override call(shape: readonly number[], dtype: DType): Tensor {
    floatOnly("RandomNormal", dtype);
    return normalTensor(shape, this.mean, this.stddev, dtype, generatorFor(this.seed));
  }
  override getConfig() {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

/** U(minval, maxval); Keras' defaults -0.05, 0.05. */
export class RandomUniform extends Initializer {
  readonly minval: number;
  readonly maxval: number;
  readonly seed: number | null;
  constructor(opts: RandomOptions & { minval?: number; maxval?: number } = {}) {
    super();
    this.minval = opts.minval ?? -0.05;
    this.maxval = opts.maxval ?? 0.05;
    this.seed = opts.seed ?? null;
  }
  override call(shape: readonly number[], dtype: DType): Tensor {
    floatOnly("RandomUniform", dtype);
    return uniformTensor(shape, this.minval, this.maxval, dtype, this.seed);
  }
  override getConfig() {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed };
  }
}

/** Normal truncated at two standard deviations; Keras' defaults mean 0, stddev 0.05. */
export class TruncatedNormal extends Initializer {
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | null;
  constructor(opts: RandomOptions & { mean?: number; stddev?: number } = {}) {
    super();
    this.mean = opts.mean ?? 0;
    this.stddev = opts.stddev ?? 0.05;
    this.seed = opts.seed ?? null;
  }
  override call(shape: readonly number[], dtype: DType): Tensor {
    floatOnly("TruncatedNormal", dtype);
    return truncatedNormal(shape, this.mean, this.stddev, dtype, this.seed);
  }
  override getConfig() {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

export type FanMode = "fan_in" | "fan_out" | "fan_avg";
export type ScalingDistribution = "truncated_normal" | "untruncated_normal" | "normal" | "uniform";

/**
 * Keras' VarianceScaling: n = fan_in, fan_out or their average; truncated normal with stddev
 * sqrt(scale/n)/0.8796… (the stddev of a unit normal truncated at ±2), untruncated normal with
 * stddev sqrt(scale/n), or uniform within ±sqrt(3·scale/n).
 */
export class VarianceScaling extends Initializer {
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: ScalingDistribution;
  readonly seed: number | null;
  constructor(opts: RandomOptions & { scale?: number; mode?: FanMode; distribution?: ScalingDistribution } = {}) {
    super();
    this.scale = opts.scale ?? 1;
    this.mode = opts.mode ?? "fan_in";
    this.distribution = opts.distribution ?? "truncated_normal";
    this.seed = opts.seed ?? null;
    if (!(this.scale > 0)) throw new ValueError(`VarianceScaling: scale must be positive, got ${this.scale}`);
    if (!["fan_in", "fan_out", "fan_avg"].includes(this.mode)) throw new ValueError(`VarianceScaling: invalid mode ${this.mode} (expected fan_in, fan_out or fan_avg)`);
    if (!["truncated_normal", "untruncated_normal", "normal", "uniform"].includes(this.distribution)) {
      throw new ValueError(`VarianceScaling: invalid distribution ${this.distribution} (expected truncated_normal, untruncated_normal or uniform)`);
    }
  }
  override call(shape: readonly number[], dtype: DType): Tensor {
    floatOnly(this.constructor.name, dtype);
    // Keras' kernel layout: [in, out], conv kernels [kh, kw, in, out].
    const { fanIn, fanOut } = calculateFanInAndFanOut(shape, "keras");
    const n = Math.max(1, this.mode === "fan_in" ? fanIn : this.mode === "fan_out" ? fanOut : (fanIn + fanOut) / 2);
    const s = this.scale / n;
    if (this.distribution === "uniform") {
      const limit = Math.sqrt(3 * s);
      return uniformTensor(shape, -limit, limit, dtype, this.seed);
    }
    if (this.distribution === "untruncated_normal") return normalTensor(shape, 0, Math.sqrt(s), dtype, generatorFor(this.seed));
    return truncatedNormal(shape, 0, Math.sqrt(s) / 0.87962566103423978, dtype, this.seed);
  }
  override getConfig() {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed };
  }
}

/** U(±sqrt(6 / (fan_in + fan_out))): Keras' default kernel initializer. */
export class GlorotUniform extends VarianceScaling {
  constructor(opts: RandomOptions = {}) {
    super({ scale: 1, mode: "fan_avg", distribution: "uniform", seed: opts.seed });
  }
}
/** Truncated normal with stddev sqrt(2 / (fan_in + fan_out)). */
export class GlorotNormal extends VarianceScaling {
  constructor(opts: RandomOptions = {}) {
    super({ scale: 1, mode: "fan_avg", distribution: "truncated_normal", seed: opts.seed });
  }
}
/** Truncated normal with stddev sqrt(2 / fan_in). */
export class HeNormal extends VarianceScaling {
  constructor(opts: RandomOptions = {}) {
    super({ scale: 2, mode: "fan_in", distribution: "truncated_normal", seed: opts.seed });
  }
}
/** U(±sqrt(6 / fan_in)). */
export class HeUniform extends VarianceScaling {
  constructor(opts: RandomOptions = {}) {
    super({ scale: 2, mode: "fan_in", distribution: "uniform", seed: opts.seed });
  }
}
/** Truncated normal with stddev sqrt(1 / fan_in). */
export class LecunNormal extends VarianceScaling {
  constructor(opts: RandomOptions = {}) {
    super({ scale: 1, mode: "fan_in", distribution: "truncated_normal", seed: opts.seed });
  }
}
/** U(±sqrt(3 / fan_in)). */
export class LecunUniform extends VarianceScaling {
  constructor(opts: RandomOptions = {}) {
    super({ scale: 1, mode: "fan_in", distribution: "uniform", seed: opts.seed });
  }
}

/** `gain` times the identity matrix (2-D shapes only). */
export class Identity extends Initializer {
  readonly gain: number;
  constructor(opts: { gain?: number } = {}) {
    super();
    this.gain = opts.gain ?? 1;
  }
  override call(shape: readonly number[], dtype: DType): Tensor {
    if (shape.length !== 2) throw new ValueError(`Identity: the initializer works on 2-D shapes only, got [${shape.join(", ")}]`);
    return mul(eye(shape[0], shape[1], { dtype }), this.gain);
  }
}

const BY_NAME: Record<string, () => Initializer> = {
  zeros: () => new Zeros(),
  ones: () => new Ones(),
  constant: () => new Constant(),
  random_normal: () => new RandomNormal(),
  random_uniform: () => new RandomUniform(),
  // Keras' "normal" / "uniform" aliases (Embedding's default is "uniform").
  normal: () => new RandomNormal(),
  uniform: () => new RandomUniform(),
  truncated_normal: () => new TruncatedNormal(),
  variance_scaling: () => new VarianceScaling(),
  glorot_uniform: () => new GlorotUniform(),
  glorot_normal: () => new GlorotNormal(),
  he_normal: () => new HeNormal(),
  he_uniform: () => new HeUniform(),
  lecun_normal: () => new LecunNormal(),
  lecun_uniform: () => new LecunUniform(),
  identity: () => new Identity(),
};

/** An initializer, its name (snake_case, camelCase or the class name) or a function `(shape, dtype) => Tensor`. */
export type InitializerLike = Initializer | string | ((shape: readonly number[], dtype: DType) => Tensor);

/** Keras' `initializers.get`: resolves a name to an initializer. */
export function getInitializer(id: InitializerLike): (shape: readonly number[], dtype: DType) => Tensor {
  if (typeof id === "function") return id;
  const key = toSnakeCase(id);
  const make = BY_NAME[key];
  if (!make) throw new ValueError(`Unknown initializer: '${id}'. Known initializers: ${Object.keys(BY_NAME).join(", ")}`);
  return make();
}

// Keras' lowercase function-style aliases (`tf.keras.initializers.glorot_uniform()`), in camelCase.
export const zeros = () => new Zeros();
export const ones = () => new Ones();
export const glorotUniform = (opts?: RandomOptions) => new GlorotUniform(opts);
export const glorotNormal = (opts?: RandomOptions) => new GlorotNormal(opts);
export const heNormal = (opts?: RandomOptions) => new HeNormal(opts);
export const heUniform = (opts?: RandomOptions) => new HeUniform(opts);
export const lecunNormal = (opts?: RandomOptions) => new LecunNormal(opts);
export const lecunUniform = (opts?: RandomOptions) => new LecunUniform(opts);

/** Keras' `tf.keras.initializers.get`. */
export const get = getInitializer;
