// Keras' learning-rate schedules (`tf.keras.optimizers.schedules`): callables from the optimizer's
// step count to a learning rate, over the shared formulas of src/optim.
import { ValueError } from "../../tensor/errors.js";
import { CallableObject } from "../../nn/callable.js";
import { cosineDecay, exponentialDecay, inverseTimeDecay, piecewiseConstantDecay, polynomialDecay } from "../../optim/index.js";

/** A schedule: `schedule(step)` is the learning rate at optimizer step `step` (0 first). */
export interface LearningRateSchedule {
  (step: number): number;
}
export abstract class LearningRateSchedule extends CallableObject {
  abstract override call(step: number): number;
  protected override _call(step: number): number {
    return this.call(step);
  }
  getConfig(): Record<string, unknown> {
    return {};
  }
}

export interface ExponentialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
}

function argsOf<T>(name: string, first: T | number, positional: (first: number) => T): T {
  if (typeof first === "number") return positional(first);
  if (typeof first !== "object" || first === null) throw new ValueError(`${name}: expected an options object or positional numbers`);
  return first;
}

/**
 * `initialLearningRate · decayRate^(step / decaySteps)` (the exponent floored with `staircase`).
 * @example new tf.keras.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.96 })
 */
export class ExponentialDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  constructor(args: ExponentialDecayArgs);
  constructor(initialLearningRate: number, decaySteps: number, decayRate: number, staircase?: boolean);
  constructor(a: ExponentialDecayArgs | number, decaySteps?: number, decayRate?: number, staircase?: boolean) {
    super();
    const o = argsOf("ExponentialDecay", a, (i) => ({ initialLearningRate: i, decaySteps: decaySteps!, decayRate: decayRate!, staircase }));
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.decayRate = o.decayRate;
    this.staircase = o.staircase ?? false;
    exponentialDecay(this.initialLearningRate, 0, this.decaySteps, this.decayRate, this.staircase);
  }
  override call(step: number): number {
    return exponentialDecay(this.initialLearningRate, step, this.decaySteps, this.decayRate, this.staircase);
  }
  override getConfig() {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase };
  }
}

/**
 * `values[i]` for steps in (boundaries[i−1], boundaries[i]].
 * @example new PiecewiseConstantDecay([100000, 110000], [1.0, 0.5, 0.1])
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly boundaries: readonly number[];
  readonly values: readonly number[];
  constructor(boundaries: readonly number[], values: readonly number[]);
  constructor(args: { boundaries: readonly number[]; values: readonly number[] });
  constructor(a: readonly number[] | { boundaries: readonly number[]; values: readonly number[] }, values?: readonly number[]) {
    super();
    const o = Array.isArray(a) ? { boundaries: a as readonly number[], values: values ?? [] } : (a as { boundaries: readonly number[]; values: readonly number[] });
    this.boundaries = o.boundaries.slice();
    this.values = o.values.slice();
    piecewiseConstantDecay(0, this.boundaries, this.values);
  }
  override call(step: number): number {
    return piecewiseConstantDecay(step, this.boundaries, this.values);
  }
  override getConfig() {
    return { boundaries: this.boundaries.slice(), values: this.values.slice() };
  }
}

/** `initialLearningRate / (1 + decayRate · step / decaySteps)`. */
export class InverseTimeDecay extends LearningRateSchedule {
  constructor(readonly args: ExponentialDecayArgs) {
    super();
    inverseTimeDecay(args.initialLearningRate, 0, args.decaySteps, args.decayRate, args.staircase);
  }
  override call(step: number): number {
    const a = this.args;
    return inverseTimeDecay(a.initialLearningRate, step, a.decaySteps, a.decayRate, a.staircase);
  }
}

/** From `initialLearningRate` to `endLearningRate` along a polynomial of degree `power` over `decaySteps`. */
export class PolynomialDecay extends LearningRateSchedule {
  constructor(readonly args: { initialLearningRate: number; decaySteps: number; endLearningRate?: number; power?: number; cycle?: boolean }) {
    super();
    polynomialDecay(args.initialLearningRate, 0, args.decaySteps, args.endLearningRate, args.power, args.cycle);
  }
  override call(step: number): number {
    const a = this.args;
    return polynomialDecay(a.initialLearningRate, step, a.decaySteps, a.endLearningRate, a.power, a.cycle);
  }
}

/** Half a cosine from `initialLearningRate` down to `alpha · initialLearningRate` over `decaySteps`. */
export class CosineDecay extends LearningRateSchedule {
  constructor(readonly args: { initialLearningRate: number; decaySteps: number; alpha?: number }) {
    super();
    cosineDecay(args.initialLearningRate, 0, args.decaySteps, args.alpha);
  }
  override call(step: number): number {
    const a = this.args;
    return cosineDecay(a.initialLearningRate, step, a.decaySteps, a.alpha);
  }
}
