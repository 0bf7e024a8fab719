/**
 * A correctly rounded natural logarithm for doubles.
 *
 * NumPy's legacy normals call the C library's `log`, and glibc's agrees with
 * the correctly rounded value in all but a few inputs per 10^4 (its
 * pre-2.28 versions always). V8's `Math.log` (fdlibm) is off by one ulp for
 * about 7% of inputs, which would leak into the last bit of the normals.
 * So we evaluate log(x) in double-double arithmetic (~2^-70 relative error)
 * and round once at the end.
 *
 * Method: x = 2^k * m with m in [0.75, 1.5); m is scaled by a tabulated
 * 1/c close to 1/m, so t = m/c - 1 is tiny (|t| < 2^-7.5) and exact in
 * double-double; then log x = k*ln2 + log c + log1p(t), with log1p by its
 * Taylor series. The table and ln2 are computed at load time, from a slow
 * atanh series in double-double.
 */

const SPLITTER = 134217729; // 2^27 + 1

const F64 = new Float64Array(1);
const W32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

// Scratch outputs of the error-free transformations (no allocation per call).
let rHi = 0;
let rLo = 0;

/** rHi + rLo = a * b exactly (Dekker); rHi = fl(a * b). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  rHi = p;
  rLo = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** rHi + rLo = a + b exactly (Knuth); rHi = fl(a + b). */
function twoSum(a: number, b: number): void {
  const s = a + b;
  const z = s - a;
  rHi = s;
  rLo = a - (s - z) + (b - z);
}

/** Double-double product, result in rHi/rLo. */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const lo = rLo + (ah * bl + al * bh);
  twoSum(rHi, lo);
}

/** Double-double difference a - b, result in rHi/rLo. */
function ddSub(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, -bh);
  const lo = rLo + (al - bl);
  twoSum(rHi, lo);
}

/** Double-double quotient, result in rHi/rLo: long division with three partial quotients. */
function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddSub(ah, al, rHi, rLo);
  const r1H = rHi;
  const r1L = rLo;
  const q2 = r1H / bh;
  ddMul(q2, 0, bh, bl);
  ddSub(r1H, r1L, rHi, rLo);
  const q3 = rHi / bh;
  twoSum(q1, q2);
  const lo = rLo + q3;
  twoSum(rHi, lo);
}

/**
 * log(y) for y in [0.5, 2] as a double-double [hi, lo], by
 * log y = 2 * (s + s^3/3 + s^5/5 + ...), s = (y - 1) / (y + 1). Slow; load time only.
 */
function slowLog(y: number): [number, number] {
  twoSum(y, 1);
  ddDiv(y - 1, 0, rHi, rLo); // y - 1 is exact for y in [0.5, 2]
  const sH = rHi;
  const sL = rLo;
  ddMul(sH, sL, sH, sL);
  const s2H = rHi;
  const s2L = rLo;
  let termH = sH;
  let termL = sL;
  let accH = sH;
  let accL = sL;
  for (let n = 3; Math.abs(termH) > 1e-40 * Math.abs(accH); n += 2) {
    ddMul(termH, termL, s2H, s2L);
    termH = rHi;
    termL = rLo;
    ddDiv(termH, termL, n, 0);
    const qH = rHi;
    const qL = rLo;
    twoSum(accH, qH);
    const lo = rLo + accL + qL;
    twoSum(rHi, lo);
    accH = rHi;
    accL = rLo;
  }
  return [2 * accH, 2 * accL];
}

const [LN2_HI, LN2_LO] = slowLog(2);

// c_i = 1 + i/128 for i in [-32, 64] covers m in [0.75, 1.5) within 1/256.
const TABLE_OFFSET = 32;
const INV_C = new Float64Array(97);
const LOG_C_HI = new Float64Array(97); // -log(INV_C[i]) = log of the exact reciprocal's inverse
const LOG_C_LO = new Float64Array(97);
for (let i = -32; i <= 64; i++) {
  const invc = 1 / (1 + i / 128);
  const [h, l] = slowLog(invc);
  INV_C[i + TABLE_OFFSET] = invc;
  LOG_C_HI[i + TABLE_OFFSET] = -h;
  LOG_C_LO[i + TABLE_OFFSET] = -l;
}

/** Natural logarithm of x, correctly rounded to double except in vanishingly rare cases. */
export function log(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x); // NaN, 0, negatives, +inf
  F64[0] = x;
  let k = (W32[HI]! >>> 20) - 1023;
  if (k === -1023) {
    // Subnormal: scale into the normal range first.
    F64[0] = x * 2 ** 54;
    k = (W32[HI]! >>> 20) - 1023 - 54;
  }
  W32[HI] = (W32[HI]! & 0x000fffff) | 0x3ff00000; // m in [1, 2), same mantissa
  let m = F64[0]!;
  if (m >= 1.5) {
    m *= 0.5;
    k += 1;
  }
  const i = Math.round((m - 1) * 128) + TABLE_OFFSET;
  // t = m * invc - 1 exactly, as tH + tL (p - 1 is exact: p is within 2^-7 of 1).
  twoProd(m, INV_C[i]!);
  const e = rLo;
  twoSum(rHi - 1, e);
  const tH = rHi;
  const tL = rLo;
  // log1p(t) = t - t^2/2 + t^3/3 - ...; t^2/2 in double-double, the rest in double.
  twoProd(tH, tH);
  const halfH = -0.5 * rHi;
  const halfL = -0.5 * rLo;
  const p =
    tH *
    tH *
    tH *
    (1 / 3 +
      tH * (-1 / 4 + tH * (1 / 5 + tH * (-1 / 6 + tH * (1 / 7 + tH * (-1 / 8 + tH * (1 / 9 + tH * (-1 / 10 + tH * (1 / 11)))))))));
  const small = tL - tH * tL + tH * tH * tL + p;
  // k*ln2 as a double-double.
  twoProd(k, LN2_HI);
  const kH = rHi;
  const kL = rLo + k * LN2_LO;
  // Sum from the largest terms down, carrying every rounding error in `low`.
  twoSum(kH, LOG_C_HI[i]!);
  let low = rLo;
  twoSum(rHi, tH);
  low += rLo;
  twoSum(rHi, halfH);
  low += rLo;
  return rHi + (low + kL + LOG_C_LO[i]! + halfL + small);
}
