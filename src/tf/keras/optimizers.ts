// Keras' optimizers over the shared update rules of src/optim in their "keras" style (TF ≥ 2.11
// formulas: SGD's velocity v = m·v − lr·g, Adam's epsilon added to sqrt(v), RMSprop's rho 0.9 and
// epsilon 1e-7, Adagrad's initial accumulator 0.1).
import type { Tensor } from "../../tensor/tensor.js";
import { Tensor as TensorClass } from "../../tensor/tensor.js";
import { fmtShape, shapesEqual } from "../../tensor/shape.js";
import { ShapeError, ValueError } from "../../tensor/errors.js";
import { warn } from "../../ops/warn.js";
import {
  adagradDefaults, adagradStep, adamDefaults, adamStep, rmspropDefaults, rmspropStep, sgdDefaults, sgdStep,
  validateAdagrad, validateAdam, validateRmsprop, validateSgd, type ParamState,
} from "../../optim/index.js";
import { GradientTape } from "../../autograd/tape.js";
import { Variable } from "../variable.js";
import { LearningRateSchedule } from "./schedules.js";
import { toSnakeCase } from "./names.js";

/** A learning rate: a number, or a schedule of the step count. */
export type LearningRate = number | LearningRateSchedule | ((step: number) => number);

export interface OptimizerArgs {
  learningRate?: LearningRate;
  /** Keras' legacy alias of `learningRate`. */
  lr?: LearningRate;
  /** Decoupled weight decay, `p −= p·weightDecay·lr` before each update (Keras ≥ 2.11). */
  weightDecay?: number;
  name?: string;
}

function nameOf(v: Tensor): string {
  return v instanceof Variable ? v.name : `tensor of shape ${fmtShape(v.shape)}`;
}

/**
 * Base of Keras' optimizers. `applyGradients(tf.zip(grads, vars))` updates the variables in
 * place; `minimize(lossFn, varList)` computes the gradients itself. `learningRate` may be set at
 * any time (a number or a schedule); `iterations` counts the updates.
 */
export abstract class Optimizer {
  readonly name: string;
  /** The number of `applyGradients` calls so far (an int32 variable, as Keras' int64 one). */
  readonly iterations: Variable;
  private lrValue: LearningRate;
  protected readonly weightDecay: number;
  private readonly states = new Map<Tensor, ParamState>();

  constructor(args: OptimizerArgs, defaultLr: number, name: string) {
    this.name = args.name ?? name;
    this.lrValue = args.learningRate ?? args.lr ?? defaultLr;
    this.checkLr(this.lrValue);
    this.weightDecay = args.weightDecay ?? 0;
    if (!(this.weightDecay >= 0)) throw new ValueError(`${this.name}: weightDecay must be >= 0, got ${this.weightDecay}`);
    this.iterations = new Variable(0, { dtype: "int32", trainable: false, name: "iteration" });
  }

  private checkLr(v: LearningRate): void {
    if (typeof v === "function") return;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new ValueError(`${this.name}: the learning rate must be a finite number >= 0 or a schedule, got ${String(v)}`);
    }
  }

  /** The learning rate as set: a number or a schedule. */
  get learningRate(): LearningRate {
    return this.lrValue;
  }

  set learningRate(v: LearningRate) {
    this.checkLr(v);
    this.lrValue = v;
  }

  /** Keras' legacy alias of `learningRate`. */
  get lr(): LearningRate {
    return this.lrValue;
  }

  set lr(v: LearningRate) {
    this.learningRate = v;
  }

  /** The learning rate the next update uses (a schedule evaluated at `iterations`). */
  currentLearningRate(): number {
    const v = this.lrValue;
    return typeof v === "number" ? v : v(this.iterations.item());
  }

  /** One update of `param` with `grad` (shape-checked) at learning rate `lr`. */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, lr: number): void;

  /** Checks the hyperparameters at learning rate `lr` before anything changes. */
  protected abstract validate(lr: number): void;

  /**
   * Applies gradients to variables: an iterable of `[gradient, variable]` pairs, as
   * `tf.zip(grads, vars)`. Pairs whose gradient is null are skipped with a warning (an error if
   * all are). A gradient whose shape differs from its variable's is an error naming both, and then
   * no variable is changed. Returns `iterations`.
   * @example optimizer.applyGradients(tf.zip(grads, model.trainableVariables));
   */
  applyGradients(gradsAndVars: Iterable<readonly [Tensor | null | undefined, Tensor]>): Variable {
    const pairs = Array.from(gradsAndVars, (p, i) => {
      if (!Array.isArray(p) || p.length !== 2) throw new ValueError(`${this.name}.applyGradients: entry ${i} is not a [gradient, variable] pair`);
      return p as readonly [Tensor | null | undefined, Tensor];
    });
    pairs.forEach(([, v], i) => {
      if (!(v instanceof TensorClass)) throw new ValueError(`${this.name}.applyGradients: entry ${i} holds no variable`);
    });
    const withGrad = pairs.filter(([g]) => g !== null && g !== undefined) as [Tensor, Tensor][];
    if (withGrad.length === 0) {
      throw new ValueError(`${this.name}.applyGradients: no gradients provided for any variable: [${pairs.map(([, v]) => `'${nameOf(v)}'`).join(", ")}]`);
    }
    if (withGrad.length < pairs.length) {
      const missing = pairs.filter(([g]) => g === null || g === undefined).map(([, v]) => `'${nameOf(v)}'`);
      warn(`Gradients do not exist for variables [${missing.join(", ")}] when minimizing the loss.`);
    }
    for (const [g, v] of withGrad) {
      if (!(g instanceof TensorClass)) throw new ValueError(`${this.name}.applyGradients: the gradient for variable '${nameOf(v)}' is not a tensor`);
      if (!shapesEqual(g.shape, v.shape)) {
        throw new ShapeError(`${this.name}.applyGradients: the gradient for variable '${nameOf(v)}' has shape ${fmtShape(g.shape)}, but the variable has shape ${fmtShape(v.shape)}`);
      }
    }
    const lr = this.currentLearningRate();
    this.validate(lr);
    for (const [g, v] of withGrad) {
      let state = this.states.get(v);
      if (!state) {
        state = {};
        this.states.set(v, state);
      }
      this.update(v, g, state, lr);
    }
    this.iterations.assignAdd(1);
    return this.iterations;
  }

  /**
   * Minimizes `loss`: a function of no arguments (recorded on a new tape) or a tensor recorded on
   * `opts.tape`. `varList` may be a function, called after the loss so lazily built layers have
   * their variables.
   * @example optimizer.minimize(() => tf.reduceMean(tf.square(w.sub(3))), [w]);
   */
  minimize(loss: Tensor | (() => Tensor), varList: readonly Tensor[] | (() => readonly Tensor[]), opts: { tape?: GradientTape } = {}): Variable {
    let tape = opts.tape;
    let value: Tensor;
    if (typeof loss === "function") {
      tape = tape ?? new GradientTape();
      value = tape.record(loss);
    } else {
      if (!tape) throw new ValueError(`${this.name}.minimize: a tape is required when a tensor loss is passed (or pass a function)`);
      value = loss;
    }
    const vars = typeof varList === "function" ? varList() : varList;
    const grads = tape.gradient(value, vars.slice());
    return this.applyGradients(vars.map((v, i) => [grads[i], v] as const));
  }

  /** The optimizer's state for a variable (Keras' slots: `m`, `v`, `velocity`, …). */
  getSlot(variable: Tensor, name: string): Tensor | null {
    const s = this.states.get(variable)?.[name];
    return s instanceof TensorClass ? s : null;
  }

  /** `iterations` and every slot tensor. */
  variables(): Tensor[] {
    const out: Tensor[] = [this.iterations];
    for (const s of this.states.values()) for (const v of Object.values(s)) if (v instanceof TensorClass) out.push(v);
    return out;
  }

  getConfig(): Record<string, unknown> {
    const lr = this.lrValue;
    return { name: this.name, learningRate: lr instanceof LearningRateSchedule ? lr.getConfig() : lr, weightDecay: this.weightDecay };
  }
}

export interface SGDArgs extends OptimizerArgs {
  momentum?: number;
  nesterov?: boolean;
}

/**
 * Keras' SGD: `w −= lr·g`; with momentum, `v = momentum·v − lr·g; w += v`
 * (nesterov: `w += momentum·v − lr·g`). Default learning rate 0.01.
 * @example new tf.keras.optimizers.SGD({ learningRate: 0.01 })
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args: SGDArgs = {}) {
    super(args, 0.01, "SGD");
    this.momentum = args.momentum ?? 0;
    this.nesterov = args.nesterov ?? false;
    this.validate(typeof this.learningRate === "number" ? this.learningRate : 0.01);
  }
  private hyper(lr: number) {
    return { ...sgdDefaults("keras"), lr, momentum: this.momentum, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }
  protected validate(lr: number): void {
    validateSgd(this.hyper(lr));
  }
  protected update(p: Tensor, g: Tensor, s: ParamState, lr: number): void {
    sgdStep(p, g, s, this.hyper(lr));
  }
}

export interface AdamArgs extends OptimizerArgs {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

/**
 * Keras' Adam: `α = lr·sqrt(1−β2ᵗ)/(1−β1ᵗ)`, `w −= α·m/(sqrt(v) + ε)` (epsilon "hat", 1e-7).
 * Defaults: learning rate 0.001, β1 0.9, β2 0.999.
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  constructor(args: AdamArgs = {}) {
    super(args, 0.001, "Adam");
    const d = adamDefaults("keras");
    this.beta1 = args.beta1 ?? d.beta1;
    this.beta2 = args.beta2 ?? d.beta2;
    this.epsilon = args.epsilon ?? d.eps;
    this.amsgrad = args.amsgrad ?? false;
    this.validate(0.001);
  }
  private hyper(lr: number) {
    return { ...adamDefaults("keras"), lr, beta1: this.beta1, beta2: this.beta2, eps: this.epsilon, amsgrad: this.amsgrad, weightDecay: this.weightDecay };
  }
  protected validate(lr: number): void {
    validateAdam(this.hyper(lr));
  }
  protected update(p: Tensor, g: Tensor, s: ParamState, lr: number): void {
    adamStep(p, g, s, this.hyper(lr));
  }
}

export interface RMSpropArgs extends OptimizerArgs {
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

/** Keras' RMSprop (rho 0.9, epsilon 1e-7, learning rate 0.001): `w −= lr·g/sqrt(v + ε)`. */
export class RMSprop extends Optimizer {
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(args: RMSpropArgs = {}) {
    super(args, 0.001, "RMSprop");
    const d = rmspropDefaults("keras");
    this.rho = args.rho ?? d.alpha;
    this.momentum = args.momentum ?? 0;
    this.epsilon = args.epsilon ?? d.eps;
    this.centered = args.centered ?? false;
    this.validate(0.001);
  }
  private hyper(lr: number) {
    return { ...rmspropDefaults("keras"), lr, alpha: this.rho, momentum: this.momentum, eps: this.epsilon, centered: this.centered, weightDecay: this.weightDecay };
  }
  protected validate(lr: number): void {
    validateRmsprop(this.hyper(lr));
  }
  protected update(p: Tensor, g: Tensor, s: ParamState, lr: number): void {
    rmspropStep(p, g, s, this.hyper(lr));
  }
}

export interface AdagradArgs extends OptimizerArgs {
  initialAccumulatorValue?: number;
  epsilon?: number;
}

/** Keras' Adagrad (initial accumulator 0.1, epsilon 1e-7, learning rate 0.001): `w −= lr·g/sqrt(acc + ε)`. */
export class Adagrad extends Optimizer {
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(args: AdagradArgs = {}) {
    super(args, 0.001, "Adagrad");
    const d = adagradDefaults("keras");
    this.initialAccumulatorValue = args.initialAccumulatorValue ?? d.initialAccumulatorValue;
    this.epsilon = args.epsilon ?? d.eps;
    this.validate(0.001);
  }
  private hyper(lr: number) {
    return { ...adagradDefaults("keras"), lr, initialAccumulatorValue: this.initialAccumulatorValue, eps: this.epsilon, weightDecay: this.weightDecay };
  }
  protected validate(lr: number): void {
    validateAdagrad(this.hyper(lr));
  }
  protected update(p: Tensor, g: Tensor, s: ParamState, lr: number): void {
    adagradStep(p, g, s, this.hyper(lr));
  }
}

const BY_NAME: Record<string, () => Optimizer> = {
  sgd: () => new SGD(),
  adam: () => new Adam(),
  rmsprop: () => new RMSprop(),
  rm_sprop: () => new RMSprop(),
  adagrad: () => new Adagrad(),
};

/** Keras' `optimizers.get`: an optimizer, or a name with default settings ('sgd', 'adam', 'rmsprop', 'adagrad'). */
export function getOptimizer(id: Optimizer | string): Optimizer {
  if (id instanceof Optimizer) return id;
  const make = BY_NAME[toSnakeCase(String(id))];
  if (!make) throw new ValueError(`Unknown optimizer: '${String(id)}'. Known optimizers: sgd, adam, rmsprop, adagrad`);
  return make();
}
