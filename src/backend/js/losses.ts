// Fused loss kernels: mse_loss's forward (the difference, its square and their sum in one pass,
// without the two intermediate arrays) and PyTorch's mse_loss_backward. Each line rounds
// (Math.fround for float32) where the separate ops would, so the bits are theirs.
import type { TypedArray } from "../../tensor/dtype.js";

const f = Math.fround;

/** Σ (x−y)² in float64 in index order, as reduce's float32 sum adds; d and d² rounded to float32. */
function squaredDiffSumF32(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const d = f(x[i] - y[i]);
    s += f(d * d);
  }
  return s;
}

/** Σ (x−y)² in index order (float64 arithmetic: the generic loop, as reduce's). */
function squaredDiffSum(x: TypedArray, y: TypedArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    s += d * d;
  }
  return s;
}

/**
 * Stores the sum into out[0] (rounding it to out's dtype, as reduce's `out[0] = a` does), then,
 * for a mean, divides it by the count in that dtype, as the mean op's division does.
 */
export function storeLoss(sum: number, n: number, mean: boolean, out: TypedArray): void {
  out[0] = sum;
  if (mean) out[0] = out[0] / (out instanceof Float32Array ? f(n) : n);
}

/** See Backend.mseLoss. */
export function mseLoss(x: TypedArray, y: TypedArray, mean: boolean, out: TypedArray): void {
  const s = x instanceof Float32Array && y instanceof Float32Array ? squaredDiffSumF32(x, y) : squaredDiffSum(x, y);
  storeLoss(s, x.length, mean, out);
}

/** See Backend.mseLossBackward. */
export function mseLossBackward(x: TypedArray, y: TypedArray, norm: number, g: number, out: TypedArray): void {
  const n = out.length;
  if (x instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array) {
    const nf = f(norm), gf = f(g);
    for (let i = 0; i < n; i++) out[i] = f(f(nf * f(x[i] - y[i])) * gf);
    return;
  }
  for (let i = 0; i < n; i++) out[i] = norm * (x[i] - y[i]) * g;
}
