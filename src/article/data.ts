/**
 * The article's data: `generate_data` with NumPy's legacy generator, and the least-squares line
 * of the same samples (the reference every program is compared with).
 */
import { RandomState } from "../tensor/random/numpy.js";

/** The samples the article fits: `x` and `y` as float32, as `x.astype(np.float32)` gives them. */
export interface ArticleData {
  x: Float32Array;
  y: Float32Array;
}

/** Parameters of {@link generateData}; the defaults are the article's. */
export interface DataOptions {
  /** Slope of the true line (0.1). */
  m?: number;
  /** Intercept of the true line (0.3). */
  b?: number;
  /** Number of samples (200). */
  n?: number;
  /** Standard deviation of the Gaussian noise (0.15). */
  noise?: number;
}

/**
 * The article's `generate_data`: x ~ U(-10, 10), y = (m·x + b) + N(0, noise²), drawn in this
 * order from `rng` and computed in float64 before the cast to float32, as NumPy does. With
 * `new RandomState(0)` the samples equal NumPy's after `np.random.seed(0)`.
 * @example const { x, y } = generateData(new RandomState(0)); // 200 samples
 */
export function generateData(rng: RandomState, opts: DataOptions = {}): ArticleData {
  const m = opts.m ?? 0.1;
  const b = opts.b ?? 0.3;
  const n = opts.n ?? 200;
  const sd = opts.noise ?? 0.15;
  const x = rng.uniform(-10, 10, n);
  const noise = rng.normal(0, sd, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = m * x[i]! + b + noise[i]!;
  return { x: Float32Array.from(x), y: Float32Array.from(y) };
}

/** A line y = w·x + b and its mean squared error on the samples. */
export interface LineFit {
  w: number;
  b: number;
  mse: number;
}

/**
 * Mean squared error of the line y = w·x + b on the samples, in float64.
 * @example meanSquaredError([0, 1], [1, 3], 2, 1) // 0
 */
export function meanSquaredError(x: ArrayLike<number>, y: ArrayLike<number>, w: number, b: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const r = w * x[i]! + b - y[i]!;
    s += r * r;
  }
  return x.length > 0 ? s / x.length : NaN;
}

/**
 * The ordinary least-squares line through the samples (closed form, float64): the minimum every
 * gradient-descent program of the article approaches.
 * @example leastSquares([0, 1, 2], [1, 3, 5]) // { w: 2, b: 1, mse: 0 }
 */
export function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`leastSquares: x and y differ in length (${n} vs ${y.length})`);
  if (n < 2) throw new RangeError(`leastSquares: needs at least 2 samples, got ${n}`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  // Centred sums: exact enough in float64 and free of the cancellation of Σx² − n·x̄².
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    sxy += dx * (y[i]! - my);
    sxx += dx * dx;
  }
  if (sxx === 0) throw new RangeError("leastSquares: all x are equal, the slope is undefined");
  const w = sxy / sxx;
  const b = my - w * mx;
  return { w, b, mse: meanSquaredError(x, y, w, b) };
}

/**
 * Mean of the samples' y: where the intercept of the broadcasting pitfall heads.
 * @example mean([1, 2, 3]) // 2
 */
export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s / v.length;
}
