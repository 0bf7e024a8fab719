/**
 * Fused multiply-add, correctly rounded, in float32 and float64.
 *
 * JavaScript has no `Math.fma`, but PyTorch's CPU kernels are compiled with
 * FMA contraction on x86-64 (AVX2 builds), so `x * (to - from) + from` and
 * friends round once, not twice. Reproducing their bits needs a true FMA.
 */

const F64 = new Float64Array(1);
const W32 = new Uint32Array(F64.buffer);
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
// Index of the low 32-bit word of a float64 in the host's byte order.
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** Veltkamp splitter 2^27 + 1: cuts a double into two 26-bit halves. */
const SPLITTER = 134217729;

/** The float32 next to `r` (a float32 value) in the direction of `towardsUp ? +inf : -inf`. */
function floatNeighbour(r: number, towardsUp: boolean): number {
  if (r === 0) return towardsUp ? 2 ** -149 : -(2 ** -149);
  F32[0] = r;
  I32[0] = I32[0]! + ((r > 0) === towardsUp ? 1 : -1);
  return F32[0]!;
}

/**
 * `fmaf(a, b, c)` for float32 inputs: `a * b + c` rounded once to float32.
 *
 * The product of two floats is exact in a double; the sum is then rounded to
 * double and again to float. That double rounding only errs when the double
 * sum lands exactly halfway between two floats, where the sign of the sum's
 * rounding error (TwoSum) decides.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  if (r === s || !Number.isFinite(s)) return r;
  const t = s - p;
  const err = p - (s - t) + (c - t);
  if (err === 0) return r;
  const other = floatNeighbour(r, s > r);
  if (s !== (r + other) * 0.5) return r;
  // s is a tie between r and other: the exact value lies on err's side of it.
  return err > 0 === other > r ? other : r;
}

/**
 * `fma(a, b, c)` for doubles, correctly rounded (barring overflow/underflow):
 * Boldo & Melquiond's emulation. The exact product (Dekker) and the exact sum
 * with c (TwoSum) give three doubles; the two small ones are added with
 * rounding to odd, which makes the final round-to-nearest addition exact-once.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c) || p === 0) return p + c;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pErr = ah * bh - p + ah * bl + al * bh + al * bl;
  const sh = c + p;
  const z = sh - c;
  const sErr = c - (sh - z) + (p - z);
  return sh + addRoundToOdd(sErr, pErr);
}

/** `a + b` rounded to odd: if inexact, the neighbour of the nearest sum whose last bit is 1. */
function addRoundToOdd(a: number, b: number): number {
  const v = a + b;
  const w = v - a;
  const err = a - (v - w) + (b - w);
  if (err === 0) return v;
  F64[0] = v;
  if ((W32[LO]! & 1) === 1) return v;
  // v is even and inexact: step one ulp towards the exact value (an odd neighbour).
  if (err > 0 === v > 0) {
    W32[LO] = W32[LO]! + 1; // even + 1 never carries
  } else if (W32[LO] === 0) {
    W32[LO] = 0xffffffff;
    W32[HI] = W32[HI]! - 1;
  } else {
    W32[LO] = W32[LO]! - 1;
  }
  return F64[0]!;
}
