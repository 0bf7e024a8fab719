// Validation of the plain numbers the update rules and the learning-rate schedules take: each
// throws a ValueError naming the function (`opt`), the argument and the value.
import { ValueError } from "../tensor/errors.js";

/** Throws unless `v` is a finite number ≥ 0, naming the function and the value. */
export function checkNonNegative(opt: string, what: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new ValueError(`${opt}: invalid ${what}: ${v} (expected a finite number >= 0)`);
  }
}

/** Throws unless `v` is a finite number > 0, naming the function and the value. */
export function checkPositive(opt: string, what: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new ValueError(`${opt}: invalid ${what}: ${v} (expected a finite number > 0)`);
  }
}

/** Throws unless lo ≤ v < hi (or ≤ hi when `closedHigh`), naming the function and the value. */
export function checkRange(opt: string, what: string, v: number, lo: number, hi: number, closedHigh = false): void {
  const ok = typeof v === "number" && v >= lo && (closedHigh ? v <= hi : v < hi);
  if (!ok) {
    throw new ValueError(`${opt}: invalid ${what}: ${v} (expected a number in [${lo}, ${hi}${closedHigh ? "]" : ")"})`);
  }
}

/** Throws unless `v` is a finite number. */
export function checkFinite(opt: string, what: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ValueError(`${opt}: invalid ${what}: ${v} (expected a finite number)`);
  }
}

/** Throws unless `v` is a boolean (the hyperparameter types are erased at run time). */
export function checkBool(opt: string, what: string, v: unknown): void {
  if (typeof v !== "boolean") throw new ValueError(`${opt}: invalid ${what}: ${String(v)} (expected a boolean)`);
}
