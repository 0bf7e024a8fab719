/**
 * NumPy's legacy `RandomState` (`np.random.seed`, `np.random.uniform`, ...),
 * reproduced bit for bit on plain numbers and typed arrays.
 *
 * The legacy stream is frozen by NumPy ("guaranteed to produce the same values
 * as the final point release of NumPy v1.16"), so matching NumPy 1.24 matches
 * every NumPy since 1.17 too. Each method consumes the Mersenne Twister words
 * exactly as NumPy's C code does, so calls can be interleaved freely.
 *
 * Normals need the C library's `log`; we use a correctly rounded one (log.ts),
 * which glibc's equals except for a few inputs in 10^4, where a normal can
 * differ from NumPy's in its last bit.
 */
import { log } from "./log.js";
import { MT19937, type MT19937State } from "./mt19937.js";

/** A NumPy `size`: a count, or a shape whose product is the count (the output is flat, row-major). */
export type Size = number | readonly number[];

/** Everything `RandomState.get_state()` holds: the engine plus the cached Box–Muller value. */
export interface RandomStateSnapshot {
  readonly mt: MT19937State;
  readonly hasGauss: boolean;
  readonly gauss: number;
}

const TWO_POW_32 = 4294967296;

/** Number of values a `size` asks for (validated like NumPy: non-negative integers). */
export function sizeToCount(size: Size): number {
  const dims = typeof size === "number" ? [size] : size;
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid size ${String(size)}: dimensions must be non-negative integers`);
    n *= d;
  }
  return n;
}

/** Smallest all-ones mask covering `max` (NumPy's `gen_mask`), for 0 < max < 2^32. */
function mask32(max: number): number {
  return 0xffffffff >>> Math.clz32(max);
}

/**
 * NumPy's legacy random generator.
 *
 * Seeding follows `np.random.seed`: an integer in [0, 2^32) goes through
 * `init_genrand`, an array of such integers through `init_by_array`.
 *
 * Return types: without `size` a method returns a `number`; with `size` it returns
 * a flat row-major `Float64Array` (also for `randint`, whose values are exact
 * integers), and `permutation(n)` returns an `Int32Array`.
 *
 * @example
 * const rs = new RandomState(0);
 * rs.uniform(-10, 10, 3); // Float64Array [0.9762700785464951, 4.30378732744839, 2.055267521432878]
 * rs.normal(0, 0.15);     // one number
 */
export class RandomState {
  private readonly mt = new MT19937();
  private hasGauss = false;
  private gauss = 0;

  /** `seed` omitted: seeded from `Math.random` (not reproducible, like NumPy's OS entropy). */
  constructor(seed?: number | ArrayLike<number>) {
    this.seed(seed);
  }

  /** `np.random.seed(seed)`: reseeds the engine and drops the cached normal. */
  seed(seed?: number | ArrayLike<number>): void {
    if (seed === undefined) {
      this.mt.seed(Math.floor(Math.random() * TWO_POW_32));
    } else if (typeof seed === "number") {
      checkSeedWord(seed);
      this.mt.seed(seed);
    } else {
      for (let i = 0; i < seed.length; i++) checkSeedWord(seed[i]!);
      this.mt.seedByArray(seed);
    }
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The next raw 32-bit word (NumPy's `next_uint32`). */
  nextUint32(): number {
    return this.mt.nextUint32();
  }

  /** A double in [0, 1) with 53 random bits (randomkit's `rk_double`). */
  nextDouble(): number {
    const a = this.mt.nextUint32() >>> 5;
    const b = this.mt.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `random_sample(size)` / `random(size)`: uniform on [0, 1). */
  randomSample(): number;
  randomSample(size: Size): Float64Array;
  randomSample(size?: Size): number | Float64Array {
    if (size === undefined) return this.nextDouble();
    const out = new Float64Array(sizeToCount(size));
    for (let i = 0; i < out.length; i++) out[i] = this.nextDouble();
    return out;
  }

  /** `uniform(low, high, size)`: `low + (high - low) * u`, as NumPy computes it. */
  uniform(low?: number, high?: number): number;
  uniform(low: number, high: number, size: Size): Float64Array;
  uniform(low = 0, high = 1, size?: Size): number | Float64Array {
    const range = high - low;
    if (!Number.isFinite(range)) throw new RangeError("uniform: high - low must be finite");
    if (size === undefined) return low + range * this.nextDouble();
    const out = new Float64Array(sizeToCount(size));
    for (let i = 0; i < out.length; i++) out[i] = low + range * this.nextDouble();
    return out;
  }

  /**
   * One standard normal by the legacy polar Box–Muller method. Each accepted pair
   * yields two values; the second is cached and returned by the next call.
   */
  nextGauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const cached = this.gauss;
      this.gauss = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    // A correctly rounded log, as the C library's is (see log.ts).
    const f = Math.sqrt((-2 * log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `standard_normal(size)`. */
  standardNormal(): number;
  standardNormal(size: Size): Float64Array;
  standardNormal(size?: Size): number | Float64Array {
    return size === undefined ? this.normal(0, 1) : this.normal(0, 1, size);
  }

  /** `normal(loc, scale, size)`: `loc + scale * gauss`. */
  normal(loc?: number, scale?: number): number;
  normal(loc: number, scale: number, size: Size): Float64Array;
  normal(loc = 0, scale = 1, size?: Size): number | Float64Array {
    if (!(scale >= 0)) throw new RangeError("normal: scale must be non-negative");
    if (size === undefined) return loc + scale * this.nextGauss();
    const out = new Float64Array(sizeToCount(size));
    for (let i = 0; i < out.length; i++) out[i] = loc + scale * this.nextGauss();
    return out;
  }

  /**
   * `randint(low, high, size)` with the default int64 dtype: integers in [low, high)
   * (or [0, low) when `high` is omitted), by masked rejection sampling as NumPy's
   * legacy path does. Bounds must be safe integers with `high - low <= 2^53`.
   */
  randint(low: number, high?: number): number;
  randint(low: number, high: number | undefined, size: Size): Float64Array;
  randint(low: number, high?: number, size?: Size): number | Float64Array {
    if (high === undefined) {
      high = low;
      low = 0;
    }
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RangeError("randint: low and high must be safe integers");
    }
    if (low >= high) throw new RangeError("randint: low >= high");
    // NumPy draws from the closed interval [low, low + rng].
    const rng = high - 1 - low;
    if (rng > 2 ** 53 - 1) throw new RangeError("randint: high - low must be at most 2^53");
    if (size === undefined) return low + this.boundedUint(rng);
    const out = new Float64Array(sizeToCount(size));
    for (let i = 0; i < out.length; i++) out[i] = low + this.boundedUint(rng);
    return out;
  }

  /**
   * A uniform integer in [0, rng] by masked rejection: 32-bit draws when rng fits
   * in 32 bits (NumPy's `buffered_bounded_masked_uint32`), else 64-bit draws
   * built high word first (`bounded_masked_uint64`). rng = 0 consumes nothing.
   */
  private boundedUint(rng: number): number {
    if (rng === 0) return 0;
    if (rng <= 0xffffffff) {
      const mask = mask32(rng);
      let v: number;
      do v = (this.mt.nextUint32() & mask) >>> 0;
      while (v > rng);
      return v;
    }
    const maskHi = mask32(Math.floor(rng / TWO_POW_32));
    let v: number;
    do {
      const hi = (this.mt.nextUint32() & maskHi) >>> 0;
      const lo = this.mt.nextUint32();
      v = hi * TWO_POW_32 + lo;
    } while (v > rng);
    return v;
  }

  /** `random_interval(max)`: uniform integer in [0, max], the draw `shuffle` uses. */
  private interval(max: number): number {
    return max === 0 ? 0 : this.boundedUint(max);
  }

  /**
   * `shuffle(x)`: in-place Fisher–Yates from the last element down, as NumPy's
   * legacy shuffle of a 1-D array (or list): for i = n-1..1 swap x[i], x[j] with
   * j uniform in [0, i]. Returns `x` for chaining (NumPy returns None).
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(x: T): T {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const tmp = x[i];
      x[i] = x[j];
      x[j] = tmp;
    }
    return x;
  }

  /**
   * `permutation(n)`: a shuffled `arange(n)` as an `Int32Array`;
   * `permutation(array)`: a shuffled copy of a 1-D array (same array type).
   */
  permutation(n: number): Int32Array;
  permutation<T extends ArrayLike<unknown>>(x: T): T;
  permutation(x: number | ArrayLike<unknown>): unknown {
    if (typeof x === "number") {
      if (!Number.isInteger(x) || x < 0 || x > 0x7fffffff) throw new RangeError("permutation: n must be an integer in [0, 2^31)");
      const out = new Int32Array(x);
      for (let i = 0; i < x; i++) out[i] = i;
      return this.shuffle(out);
    }
    const copy = ArrayBuffer.isView(x) ? (x as unknown as { slice(): ArrayLike<unknown> }).slice() : Array.from(x);
    return this.shuffle(copy as unknown as { length: number; [i: number]: unknown });
  }

  /** `get_state()`: a snapshot that {@link setState} restores exactly. */
  getState(): RandomStateSnapshot {
    return { mt: this.mt.getState(), hasGauss: this.hasGauss, gauss: this.gauss };
  }

  /** `set_state(state)`. */
  setState(state: RandomStateSnapshot): void {
    this.mt.setState(state.mt);
    this.hasGauss = state.hasGauss;
    this.gauss = state.hasGauss ? state.gauss : 0;
  }

  /** An independent generator at the same point of the stream (cached normal included). */
  clone(): RandomState {
    const copy = new RandomState(0);
    copy.setState(this.getState());
    return copy;
  }
}

function checkSeedWord(s: number): void {
  if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) {
    throw new RangeError("Seed must be between 0 and 2**32 - 1");
  }
}
