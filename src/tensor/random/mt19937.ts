/**
 * MT19937, the 32-bit Mersenne Twister of Matsumoto and Nishimura (1998).
 *
 * Both reference generators duograd reproduces sit on this exact engine:
 * NumPy's legacy `RandomState` and PyTorch's CPU generator (`at::mt19937`).
 * The two differ only in bookkeeping (NumPy keeps a position, ATen counts the
 * words left), which yields the same output stream, so one engine serves both.
 */

/** Number of 32-bit words of state. */
export const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A snapshot of the engine: the 624 state words and the index of the next word to temper. */
export interface MT19937State {
  /** The state words (a copy; mutating it does not affect any engine). */
  readonly key: Uint32Array;
  /** Next word to use, 0..624; 624 means the block must be regenerated first. */
  readonly pos: number;
}

/**
 * The MT19937 engine.
 *
 * @example
 * const mt = new MT19937(5489);
 * mt.nextUint32(); // 3499211612, the reference first output for the default seed
 */
export class MT19937 {
  private readonly key = new Uint32Array(MT_N);
  private pos = MT_N;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /**
   * `init_genrand`: the linear-congruential fill used for an integer seed by
   * both `np.random.seed(int)` and `torch.manual_seed` (which keep the low 32 bits).
   */
  seed(seed: number): void {
    const key = this.key;
    // `>>> 0` reduces any integer (also > 2^32 or negative) to its low 32 bits,
    // as the C code's `seed & 0xffffffff` does.
    key[0] = seed >>> 0;
    for (let i = 1; i < MT_N; i++) {
      const prev = key[i - 1]!;
      // Math.imul keeps the product modulo 2^32, exactly like uint32_t arithmetic.
      key[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.pos = MT_N;
  }

  /**
   * `init_by_array`: the seeding NumPy uses when the seed is an array of uint32
   * (e.g. `np.random.seed([1, 2, 3])`).
   */
  seedByArray(initKey: ArrayLike<number>): void {
    const n = initKey.length;
    if (n === 0) throw new RangeError("seedByArray: the key must be non-empty");
    this.seed(19650218);
    const mt = this.key;
    let i = 1;
    let j = 0;
    for (let k = Math.max(MT_N, n); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + (initKey[j]! >>> 0) + j) >>> 0;
      i++;
      j++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1]!;
        i = 1;
      }
      if (j >= n) j = 0;
    }
    for (let k = MT_N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000; // MSB set: guarantees a non-zero state
    this.pos = MT_N;
  }

  /** `genrand_int32`: the next tempered word, an integer in [0, 2^32). */
  nextUint32(): number {
    if (this.pos >= MT_N) this.twist();
    let y = this.key[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Fills `out` with consecutive `nextUint32()` values (one call instead of `out.length`). */
  fillUint32(out: Uint32Array): Uint32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.nextUint32();
    return out;
  }

  /** Regenerates the whole block of 624 words (the "twist"). */
  private twist(): void {
    const mt = this.key;
    let i = 0;
    for (; i < MT_N - MT_M; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = mt[i + MT_M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < MT_N - 1; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = mt[i + MT_M - MT_N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[MT_N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[MT_N - 1] = mt[MT_M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }

  /** A copy of the current state (NumPy's `('MT19937', key, pos)` layout). */
  getState(): MT19937State {
    return { key: this.key.slice(), pos: this.pos };
  }

  /** Restores a state obtained from {@link getState} (or NumPy's `get_state()[1:3]`). */
  setState(state: { readonly key: ArrayLike<number>; readonly pos: number }): void {
    if (state.key.length !== MT_N) throw new RangeError(`MT19937 state must have ${MT_N} words`);
    if (!Number.isInteger(state.pos) || state.pos < 0 || state.pos > MT_N) {
      throw new RangeError(`MT19937 position must be an integer in [0, ${MT_N}]`);
    }
    this.key.set(state.key);
    this.pos = state.pos;
  }

  /** An independent engine at the same point of the stream. */
  clone(): MT19937 {
    const copy = new MT19937(0);
    copy.setState(this.getState());
    return copy;
  }
}
