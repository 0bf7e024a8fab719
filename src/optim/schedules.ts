// Learning-rate schedules as pure functions of the epoch or step count. The torch ones are the
// closed forms of torch.optim.lr_scheduler (its `_get_closed_form_lr`); the scheduler objects
// compute the same values recursively (lr ← lr·γ at each boundary), which can differ in the last
// bit. The Keras ones follow tf.keras.optimizers.schedules (TF ≥ 2.11) exactly.
import { ValueError } from "../tensor/errors.js";
import { checkFinite, checkNonNegative, checkPositive } from "./checks.js";

// ---------------------------------------------------------------- torch.optim.lr_scheduler

/**
 * StepLR: `baseLr · gamma^⌊epoch / stepSize⌋`.
 * @example stepLR(0.1, 65, 30, 0.1); // 0.1 · 0.1² = 0.001 (up to rounding)
 */
export function stepLR(baseLr: number, epoch: number, stepSize: number, gamma: number): number {
  checkFinite("stepLR", "base learning rate", baseLr);
  checkNonNegative("stepLR", "epoch", epoch);
  checkPositive("stepLR", "step_size", stepSize);
  checkFinite("stepLR", "gamma", gamma);
  return baseLr * gamma ** Math.floor(epoch / stepSize);
}

/**
 * MultiStepLR: `baseLr · gamma^(number of milestones ≤ epoch)`; a repeated milestone counts twice.
 * @example multiStepLR(0.05, 80, [30, 80], 0.1); // 0.05 · 0.1² = 0.0005 (up to rounding)
 */
export function multiStepLR(baseLr: number, epoch: number, milestones: readonly number[], gamma: number): number {
  checkFinite("multiStepLR", "base learning rate", baseLr);
  checkNonNegative("multiStepLR", "epoch", epoch);
  checkFinite("multiStepLR", "gamma", gamma);
  if (!Array.isArray(milestones)) throw new ValueError("multiStepLR: milestones must be an array of numbers");
  for (const m of milestones) checkNonNegative("multiStepLR", "milestone", m);
  const passed = milestones.filter((m) => m <= epoch).length;
  return baseLr * gamma ** passed;
}

/**
 * ExponentialLR: `baseLr · gamma^epoch`.
 * @example exponentialLR(0.1, 2, 0.5); // 0.025
 */
export function exponentialLR(baseLr: number, epoch: number, gamma: number): number {
  checkFinite("exponentialLR", "base learning rate", baseLr);
  checkNonNegative("exponentialLR", "epoch", epoch);
  checkFinite("exponentialLR", "gamma", gamma);
  return baseLr * gamma ** epoch;
}

/**
 * CosineAnnealingLR (without restarts): `etaMin + (baseLr − etaMin)·(1 + cos(π·epoch/tMax))/2`,
 * periodic with period 2·tMax beyond tMax, as torch's closed form.
 * @example cosineAnnealingLR(0.1, 5, 10, 0); // 0.05
 */
export function cosineAnnealingLR(baseLr: number, epoch: number, tMax: number, etaMin = 0): number {
  checkFinite("cosineAnnealingLR", "base learning rate", baseLr);
  checkNonNegative("cosineAnnealingLR", "epoch", epoch);
  checkPositive("cosineAnnealingLR", "T_max", tMax);
  checkFinite("cosineAnnealingLR", "eta_min", etaMin);
  return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2;
}

/**
 * LinearLR: the factor goes linearly from `startFactor` to `endFactor` over `totalIters` epochs
 * (torch defaults 1/3, 1, 5), then stays.
 * @example linearLR(0.1, 2, 0.5, 1, 4); // 0.1 · 0.75 = 0.075
 */
export function linearLR(baseLr: number, epoch: number, startFactor = 1 / 3, endFactor = 1, totalIters = 5): number {
  const fn = "linearLR";
  checkFinite(fn, "base learning rate", baseLr);
  checkNonNegative(fn, "epoch", epoch);
  if (!(startFactor > 0 && startFactor <= 1)) {
    throw new ValueError(`${fn}: starting multiplicative factor expected to be greater than 0 and less or equal to 1, got ${startFactor}`);
  }
  if (!(endFactor >= 0 && endFactor <= 1)) {
    throw new ValueError(`${fn}: ending multiplicative factor expected to be between 0 and 1, got ${endFactor}`);
  }
  checkPositive(fn, "total_iters", totalIters);
  return baseLr * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, epoch)) / totalIters);
}

// ---------------------------------------------------------------- tf.keras.optimizers.schedules

/**
 * `step / decaySteps`, floored if `staircase`, after checking the arguments ExponentialDecay and
 * InverseTimeDecay share.
 */
function decayProgress(fn: string, initial: number, step: number, decaySteps: number, decayRate: number, staircase: boolean): number {
  checkFinite(fn, "initial_learning_rate", initial);
  checkNonNegative(fn, "step", step);
  checkPositive(fn, "decay_steps", decaySteps);
  checkFinite(fn, "decay_rate", decayRate);
  const p = step / decaySteps;
  return staircase ? Math.floor(p) : p;
}

/**
 * ExponentialDecay: `initial · decayRate^(step / decaySteps)`, the exponent floored if `staircase`.
 * @example exponentialDecay(0.1, 150, 100, 0.5, true); // 0.05
 */
export function exponentialDecay(initial: number, step: number, decaySteps: number, decayRate: number, staircase = false): number {
  return initial * decayRate ** decayProgress("exponentialDecay", initial, step, decaySteps, decayRate, staircase);
}

/**
 * PiecewiseConstantDecay: `values[0]` while step ≤ boundaries[0], `values[i+1]` while
 * boundaries[i] < step ≤ boundaries[i+1], `values[last]` after the last boundary.
 * @example piecewiseConstantDecay(100001, [100000, 110000], [1.0, 0.5, 0.1]); // 0.5
 */
export function piecewiseConstantDecay(step: number, boundaries: readonly number[], values: readonly number[]): number {
  const fn = "piecewiseConstantDecay";
  if (!Array.isArray(boundaries) || !Array.isArray(values) || boundaries.length !== values.length - 1) {
    throw new ValueError(
      `${fn}: the length of boundaries should be 1 less than the length of values. Received: boundaries of length ${boundaries?.length}, values of length ${values?.length}`,
    );
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (!(boundaries[i] > boundaries[i - 1])) throw new ValueError(`${fn}: boundaries must be strictly increasing, got [${boundaries.join(", ")}]`);
  }
  checkFinite(fn, "step", step);
  for (let i = 0; i < boundaries.length; i++) if (step <= boundaries[i]) return values[i];
  return values[values.length - 1];
}

/**
 * InverseTimeDecay: `initial / (1 + decayRate · step / decaySteps)`, the ratio floored if `staircase`.
 * @example inverseTimeDecay(0.1, 2, 1, 0.5); // 0.05
 */
export function inverseTimeDecay(initial: number, step: number, decaySteps: number, decayRate: number, staircase = false): number {
  return initial / (1 + decayRate * decayProgress("inverseTimeDecay", initial, step, decaySteps, decayRate, staircase));
}

/**
 * PolynomialDecay: `(initial − end)·(1 − step/decaySteps)^power + end`, step capped at decaySteps;
 * with `cycle`, decaySteps grows to the first multiple of itself ≥ step (1 multiple at step 0).
 * @example polynomialDecay(0.1, 5, 10, 0.01, 1); // 0.055
 */
export function polynomialDecay(initial: number, step: number, decaySteps: number, endLearningRate = 1e-4, power = 1, cycle = false): number {
  const fn = "polynomialDecay";
  checkFinite(fn, "initial_learning_rate", initial);
  checkNonNegative(fn, "step", step);
  checkPositive(fn, "decay_steps", decaySteps);
  checkFinite(fn, "end_learning_rate", endLearningRate);
  checkFinite(fn, "power", power);
  let s = step;
  let d = decaySteps;
  if (cycle) d = d * (s === 0 ? 1 : Math.ceil(s / decaySteps));
  else s = Math.min(s, d);
  return (initial - endLearningRate) * (1 - s / d) ** power + endLearningRate;
}

/**
 * CosineDecay (TF 2.11, no warmup): `initial · ((1 − alpha)·(1 + cos(π·min(step, decaySteps)/decaySteps))/2 + alpha)`.
 * @example cosineDecay(0.1, 5, 10); // 0.05
 */
export function cosineDecay(initial: number, step: number, decaySteps: number, alpha = 0): number {
  const fn = "cosineDecay";
  checkFinite(fn, "initial_learning_rate", initial);
  checkNonNegative(fn, "step", step);
  checkPositive(fn, "decay_steps", decaySteps);
  checkFinite(fn, "alpha", alpha);
  const completed = Math.min(step, decaySteps) / decaySteps;
  const cosineDecayed = 0.5 * (1 + Math.cos(Math.PI * completed));
  return initial * ((1 - alpha) * cosineDecayed + alpha);
}
