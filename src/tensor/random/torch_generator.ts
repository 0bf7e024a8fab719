/**
 * PyTorch 1.13's CPU generator (`torch.manual_seed`, `at::CPUGeneratorImpl`)
 * and the CPU kernels that draw from it, reproduced bit for bit on typed arrays.
 *
 * What is reproduced, and on which machine: ATen picks its CPU kernels per
 * instruction set, and the float32 `normal_` of 16+ values differs between
 * them. We follow an x86-64 CPU running ATen's AVX2 kernels, built by GCC
 * with FMA contraction (PyTorch's official x86 builds); that is what produced
 * the oracle in test/fixtures/rng.json, which every float32 value here matches.
 *
 * float64 outputs: rand/uniform_ are exact; normal_/randn go through libm
 * cos/sin in double, and V8's Math.cos/Math.sin are not glibc's, so about
 * 2-3% of float64 normals of 16+ values differ from PyTorch in the last bit
 * (the log is correctly rounded, see log.ts). float32 results are unaffected.
 */
import { logAvx2, sincosAvx2, sincosOut } from "./avx_mathfun.js";
import { fma, fmaf } from "./fma.js";
import { log } from "./log.js";
import { MT19937, type MT19937State } from "./mt19937.js";

export type FloatDType = "float32" | "float64";
export type FloatArray = Float32Array | Float64Array;

/** `default_rng_seed_val`: the seed of a fresh `torch.Generator()`. */
export const TORCH_DEFAULT_SEED = 67280421310721;

/** Everything `torch.Generator.get_state()` holds that matters to the kernels here. */
export interface TorchGeneratorState {
  readonly mt: MT19937State;
  readonly seed: number | bigint;
  /** The second Box–Muller value cached by the scalar normal path, or null. */
  readonly nextDoubleNormal: number | null;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;
const TWO_PI_F = Math.fround(2 * Math.PI); // _mm256_set1_ps(2.0f * c10::pi<double>)
const TWO_PI = 2 * Math.PI; // 2.0f * c10::pi<double>, folded at compile time
/** Below this many elements (or for non-contiguous tensors) normal_ takes the scalar, cached path. */
const NORMAL_FILL_MIN = 16;

function allocate(n: number, dtype: FloatDType): FloatArray {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`invalid element count ${n}`);
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

/**
 * A PyTorch CPU generator: an MT19937 seeded with `init_genrand(seed mod 2^32)`
 * plus the cached second normal of the scalar Box–Muller path.
 *
 * Methods take an element count and return a flat typed array (`Float32Array`
 * for the default float32, `Float64Array` for float64); the `*_` methods also
 * accept an existing array and fill it in place, like the tensor methods.
 * `randint` returns exact integers in a `Float64Array` (PyTorch's int64), and
 * `randperm` an `Int32Array`.
 *
 * @example
 * const g = new TorchGenerator(0);  // torch.manual_seed(0)
 * g.rand(2);                        // Float32Array [0.49625658988952637, 0.7682217955589294]
 * const w = g.uniform_(6, -0.5, 0.5); // like torch.empty(2, 3).uniform_(-0.5, 0.5)
 */
export class TorchGenerator {
  private readonly mt = new MT19937();
  private seedValue: number | bigint = TORCH_DEFAULT_SEED;
  private nextDoubleNormal: number | null = null;

  constructor(seed: number | bigint = TORCH_DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /**
   * `manual_seed(seed)`: any integer (negative ones as their two's complement);
   * only its low 32 bits reach the engine. Drops the cached normal.
   */
  manualSeed(seed: number | bigint): this {
    let low32: number;
    if (typeof seed === "bigint") {
      low32 = Number(BigInt.asUintN(32, seed));
    } else {
      if (!Number.isSafeInteger(seed)) throw new RangeError("manualSeed: seed must be a safe integer (or a bigint)");
      low32 = seed >>> 0; // ToUint32 is the value modulo 2^32, as the C++ `seed & 0xffffffff`
    }
    this.mt.seed(low32);
    this.seedValue = seed;
    this.nextDoubleNormal = null;
    return this;
  }

  /** `initial_seed()`: the seed last given to {@link manualSeed}. */
  initialSeed(): number | bigint {
    return this.seedValue;
  }

  /** `random()`: the next 32-bit word. */
  random(): number {
    return this.mt.nextUint32();
  }

  /** `random64()`: two words, the first in the high half. */
  random64(): bigint {
    const hi = this.mt.nextUint32();
    const lo = this.mt.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** uniform_real_distribution<float>(0, 1): 24 random bits of one word. */
  private nextFloat24(): number {
    return (this.mt.nextUint32() & 0xffffff) * TWO_POW_M24;
  }

  /** uniform_real_distribution<double>(0, 1): the low 53 bits of random64(). */
  private nextDouble53(): number {
    const hi = this.mt.nextUint32() & 0x1fffff;
    const lo = this.mt.nextUint32();
    return (hi * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  /** `torch.rand(n, dtype)`. */
  rand(n: number, dtype?: "float32"): Float32Array;
  rand(n: number, dtype: "float64"): Float64Array;
  rand(n: number, dtype: FloatDType = "float32"): FloatArray {
    return this.uniform_(allocate(n, dtype), 0, 1);
  }

  /**
   * `tensor.uniform_(from, to)`: `x * (to - from) + from` with x uniform on [0, 1),
   * in the tensor's precision and with one rounding (the kernel's FMA).
   * `target` is an element count (a new array of `dtype`) or an array to fill.
   */
  uniform_(target: number, from?: number, to?: number, dtype?: "float32"): Float32Array;
  uniform_(target: number, from: number, to: number, dtype: "float64"): Float64Array;
  uniform_<T extends FloatArray>(target: T, from?: number, to?: number): T;
  uniform_(target: number | FloatArray, from = 0, to = 1, dtype: FloatDType = "float32"): FloatArray {
    const out = typeof target === "number" ? allocate(target, dtype) : target;
    if (out instanceof Float32Array) {
      // The kernel casts from/to to float and subtracts in float.
      const lo = Math.fround(from);
      const range = Math.fround(Math.fround(to) - lo);
      checkUniformRange(lo, range);
      for (let i = 0; i < out.length; i++) out[i] = fmaf(this.nextFloat24(), range, lo);
    } else {
      const range = to - from;
      checkUniformRange(from, range);
      for (let i = 0; i < out.length; i++) out[i] = fma(this.nextDouble53(), range, from);
    }
    return out;
  }

  /** `torch.randn(n, dtype)`. */
  randn(n: number, dtype?: "float32"): Float32Array;
  randn(n: number, dtype: "float64"): Float64Array;
  randn(n: number, dtype: FloatDType = "float32"): FloatArray {
    return this.normal_(allocate(n, dtype), 0, 1);
  }

  /**
   * `tensor.normal_(mean, std)` on a contiguous tensor. Fewer than 16 values: the
   * scalar Box–Muller in double, caching its second value in the generator.
   * 16 or more: `normal_fill`, which first draws all values as uniforms, then turns
   * each block of 16 into normals (8 pairs: j and j+8), and for a ragged tail
   * redraws the last 16 uniforms and transforms them again.
   */
  normal_(target: number, mean?: number, std?: number, dtype?: "float32"): Float32Array;
  normal_(target: number, mean: number, std: number, dtype: "float64"): Float64Array;
  normal_<T extends FloatArray>(target: T, mean?: number, std?: number): T;
  normal_(target: number | FloatArray, mean = 0, std = 1, dtype: FloatDType = "float32"): FloatArray {
    const out = typeof target === "number" ? allocate(target, dtype) : target;
    if (!(std >= 0)) throw new RangeError(`normal_ expects std >= 0.0, but found std ${std}`);
    if (out.length < NORMAL_FILL_MIN) {
      for (let i = 0; i < out.length; i++) out[i] = this.scalarNormal(mean, std);
    } else if (out instanceof Float32Array) {
      this.normalFillFloat(out, Math.fround(mean), Math.fround(std));
    } else {
      this.normalFillDouble(out, mean, std);
    }
    return out;
  }

  /** at::normal_distribution<double>: trigonometric Box–Muller; the sin half is cached for the next call. */
  private scalarNormal(mean: number, std: number): number {
    if (this.nextDoubleNormal !== null) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return fma(cached, std, mean);
    }
    const u1 = this.nextDouble53();
    const u2 = this.nextDouble53();
    const r = Math.sqrt(-2 * log(1 - u2)); // 1.13 uses log(1 - u2); 1 - u2 is exact
    const theta = TWO_PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return fma(r * Math.cos(theta), std, mean);
  }

  /** normal_fill_AVX2 for float32 (see avx_mathfun.ts for the float math). */
  private normalFillFloat(data: Float32Array, mean: number, std: number): void {
    const n = data.length;
    for (let i = 0; i < n; i++) data[i] = this.nextFloat24();
    for (let i = 0; i + 16 <= n; i += 16) fill16Float(data, i, mean, std);
    if (n % 16 !== 0) {
      const start = n - 16;
      for (let i = 0; i < 16; i++) data[start + i] = this.nextFloat24();
      fill16Float(data, start, mean, std);
    }
  }

  /** normal_fill<double>: the same blocking with libm log/cos/sin in double. */
  private normalFillDouble(data: Float64Array, mean: number, std: number): void {
    const n = data.length;
    for (let i = 0; i < n; i++) data[i] = this.nextDouble53();
    for (let i = 0; i + 16 <= n; i += 16) fill16Double(data, i, mean, std);
    if (n % 16 !== 0) {
      const start = n - 16;
      for (let i = 0; i < 16; i++) data[start + i] = this.nextDouble53();
      fill16Double(data, start, mean, std);
    }
  }

  /**
   * `torch.randint(low, high, (n,))` (int64): `random() % (high - low) + low`, or
   * `random64() % range + low` when the range is 2^32 or more. Safe integers only.
   */
  randint(n: number, low: number, high: number): Float64Array {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) throw new RangeError("randint: low and high must be safe integers");
    if (!(low < high)) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    const out = allocate(n, "float64") as Float64Array;
    const range = high - low;
    if (range < TWO_POW_32) {
      for (let i = 0; i < n; i++) out[i] = (this.mt.nextUint32() % range) + low;
    } else {
      const bigRange = BigInt(range);
      for (let i = 0; i < n; i++) out[i] = Number(this.random64() % bigRange) + low;
    }
    return out;
  }

  /**
   * `torch.randperm(n)`: identity, then for i = 0..n-2 swap r[i] with
   * r[i + random() % (n - i)] (1.13's CPU loop; slightly biased for huge n, as there).
   */
  randperm(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new RangeError("randperm: n must be an integer in [0, 2^31)");
    const r = new Int32Array(n);
    for (let i = 0; i < n; i++) r[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = this.mt.nextUint32() % (n - i);
      const tmp = r[i]!;
      r[i] = r[z + i]!;
      r[z + i] = tmp;
    }
    return r;
  }

  /** `get_state()`: a snapshot that {@link setState} restores exactly. */
  getState(): TorchGeneratorState {
    return { mt: this.mt.getState(), seed: this.seedValue, nextDoubleNormal: this.nextDoubleNormal };
  }

  /** `set_state(state)`. */
  setState(state: TorchGeneratorState): void {
    this.mt.setState(state.mt);
    this.seedValue = state.seed;
    this.nextDoubleNormal = state.nextDoubleNormal;
  }

  /** An independent generator at the same point of the stream (`Generator().set_state(g.get_state())`). */
  clone(): TorchGenerator {
    const copy = new TorchGenerator(0);
    copy.setState(this.getState());
    return copy;
  }
}

function checkUniformRange(from: number, range: number): void {
  if (!(range >= 0)) throw new RangeError("uniform_ expects to return a [from, to) range, but found from > to");
  if (!Number.isFinite(range) || !Number.isFinite(from)) throw new RangeError("uniform_ expects a finite [from, to) range");
}

/** normal_fill_16_AVX2: 8 Box–Muller pairs (j, j + 8) in float32 with the kernel's FMAs. */
function fill16Float(data: Float32Array, start: number, mean: number, std: number): void {
  const f = Math.fround;
  for (let j = start; j < start + 8; j++) {
    const u1 = f(1 - data[j]!); // [0, 1) -> (0, 1] for the log
    const radius = f(Math.sqrt(-2 * logAvx2(u1)));
    sincosAvx2(f(TWO_PI_F * data[j + 8]!));
    data[j] = fmaf(f(radius * sincosOut.cos), std, mean);
    data[j + 8] = fmaf(f(radius * sincosOut.sin), std, mean);
  }
}

/** normal_fill_16<double>: `radius * cos(theta) * std + mean`, the last step fused. */
function fill16Double(data: Float64Array, start: number, mean: number, std: number): void {
  for (let j = start; j < start + 8; j++) {
    const radius = Math.sqrt(-2 * log(1 - data[j]!));
    const theta = TWO_PI * data[j + 8]!;
    data[j] = fma(radius * Math.cos(theta), std, mean);
    data[j + 8] = fma(radius * Math.sin(theta), std, mean);
  }
}
