// torch.optim.lr_scheduler: objects that set their optimizer's group learning rates each epoch.
// `step()` follows PyTorch's chainable (recursive) forms, so values match PyTorch's to the bit and
// schedulers compose; `step(epoch)` uses the closed forms of the shared schedule functions.
import { ValueError } from "../../tensor/errors.js";
import { warn } from "../../ops/warn.js";
import { cosineAnnealingLR, exponentialLR, multiStepLR, stepLR } from "../../optim/index.js";
import type { Optimizer } from "./optimizer.js";

/** What a scheduler's state dict holds: its counters and options (never the optimizer). */
export type SchedulerStateDict = Record<string, unknown>;

/**
 * Base class of the schedulers (PyTorch's `_LRScheduler`). Subclasses set their options, then call
 * `initialStep()`, which sets epoch 0's learning rates as PyTorch's constructor does.
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** The groups' learning rates when the schedule started (their `initialLr`). */
  baseLrs: number[];
  /** The epoch index of the last `step()`; −1 before the first. */
  lastEpoch: number;
  protected _stepCount = 0;
  private lastLr: number[] = [];

  constructor(optimizer: Optimizer, lastEpoch = -1) {
    const name = this.constructor.name;
    if (!optimizer || !Array.isArray((optimizer as Optimizer).paramGroups)) throw new ValueError(`${name}: ${String(optimizer)} is not an Optimizer`);
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new ValueError(`${name}: param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Epoch 0 (or `lastEpoch + 1`): what PyTorch's constructor ends with. */
  protected initialStep(): void {
    this.optimizer._stepCount = 0;
    this._stepCount = 0;
    this.step();
  }

  /** The learning rates for `lastEpoch`, computed from the groups' current ones (chainable form). */
  protected abstract getLr(): number[];

  /** The learning rates for `lastEpoch` computed from the base ones, where a closed form exists. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /**
   * Advances one epoch and writes the new learning rates into the optimizer's groups. Call it after
   * `optimizer.step()`. Passing `epoch` jumps there (deprecated in PyTorch, kept for porting).
   */
  step(epoch?: number): void {
    if (this._stepCount === 1 && this.optimizer._stepCount < 1) {
      warn(
        "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: " +
          "`optimizer.step()` before `lr_scheduler.step()`. Failure to do this will result in PyTorch skipping the first value of the learning rate schedule.",
      );
    }
    this._stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates set by the last `step()`, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The scheduler's counters and options (functions excluded). */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === "optimizer" || typeof v === "function") continue;
      out[k] = Array.isArray(v) ? v.slice() : v;
    }
    return out;
  }

  loadStateDict(sd: SchedulerStateDict): void {
    for (const [k, v] of Object.entries(sd)) {
      if (k === "optimizer") continue;
      (this as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? v.slice() : v;
    }
  }
}

const opts = <T extends object>(v: number | T | undefined, key: string): Partial<T> => (typeof v === "number" ? ({ [key]: v } as Partial<T>) : (v ?? {}));

/**
 * Multiplies the learning rate by `gamma` (0.1) every `stepSize` epochs.
 * @example const sched = new torch.optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 }); // or StepLR(opt, 30)
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, stepSize: number | { stepSize: number; gamma?: number; lastEpoch?: number }, more: { gamma?: number; lastEpoch?: number } = {}) {
    const o = { ...opts<{ stepSize: number; gamma?: number; lastEpoch?: number }>(stepSize, "stepSize"), ...more };
    super(optimizer, o.lastEpoch ?? -1);
    if (!Number.isInteger(o.stepSize) || (o.stepSize as number) <= 0) throw new ValueError(`StepLR: step_size must be a positive integer, got ${o.stepSize}`);
    this.stepSize = o.stepSize as number;
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => stepLR(b, this.lastEpoch, this.stepSize, this.gamma));
  }
}

/**
 * Multiplies the learning rate by `gamma` (0.1) at each epoch in `milestones`.
 * @example new torch.optim.lrScheduler.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 })
 */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: Optimizer, o: { milestones: readonly number[]; gamma?: number; lastEpoch?: number }) {
    super(optimizer, o.lastEpoch ?? -1);
    if (!Array.isArray(o.milestones)) throw new ValueError("MultiStepLR: milestones must be an array of epochs");
    this.milestones = o.milestones.slice().sort((a, b) => a - b);
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => multiStepLR(b, this.lastEpoch, this.milestones, this.gamma));
  }
}

/**
 * Multiplies the learning rate by `gamma` every epoch.
 * @example new torch.optim.lrScheduler.ExponentialLR(opt, { gamma: 0.9 }) // or ExponentialLR(opt, 0.9)
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, gamma: number | { gamma: number; lastEpoch?: number }) {
    const o = opts<{ gamma: number; lastEpoch?: number }>(gamma, "gamma");
    super(optimizer, o.lastEpoch ?? -1);
    if (typeof o.gamma !== "number") throw new ValueError("ExponentialLR: gamma must be a number");
    this.gamma = o.gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => exponentialLR(b, this.lastEpoch, this.gamma));
  }
}

/**
 * Cosine annealing from the base learning rate down to `etaMin` (0) over `tMax` epochs (SGDR
 * without restarts), in PyTorch's recursive form.
 * @example new torch.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100 }) // or CosineAnnealingLR(opt, 100)
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, tMax: number | { tMax: number; etaMin?: number; lastEpoch?: number }, more: { etaMin?: number; lastEpoch?: number } = {}) {
    const o = { ...opts<{ tMax: number; etaMin?: number; lastEpoch?: number }>(tMax, "tMax"), ...more };
    super(optimizer, o.lastEpoch ?? -1);
    if (!(typeof o.tMax === "number" && o.tMax > 0)) throw new ValueError(`CosineAnnealingLR: T_max must be a positive number, got ${o.tMax}`);
    this.tMax = o.tMax;
    this.etaMin = o.etaMin ?? 0;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => cosineAnnealingLR(b, this.lastEpoch, this.tMax, this.etaMin));
  }
}

/**
 * Learning rate = base · lrLambda(epoch), one function for all groups or one per group.
 * @example new torch.optim.lrScheduler.LambdaLR(opt, (epoch) => 0.95 ** epoch)
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];

  constructor(optimizer: Optimizer, lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[], o: { lastEpoch?: number } = {}) {
    super(optimizer, o.lastEpoch ?? -1);
    const n = optimizer.paramGroups.length;
    if (typeof lrLambda === "function") this.lrLambdas = Array.from({ length: n }, () => lrLambda);
    else {
      if (lrLambda.length !== n) throw new ValueError(`LambdaLR: expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    }
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }

  override stateDict(): SchedulerStateDict {
    const sd = super.stateDict();
    delete sd.lrLambdas;
    return sd;
  }
}
