/**
 * The article's data helper for the PyTorch examples: `generate_data` with NumPy's legacy
 * generator, so `generateData(new RandomState(0))` gives the samples of `np.random.seed(0)`.
 */
import type { RandomState } from "../src/index.js";

/**
 * x ~ U(−10, 10), y = (m·x + b) + N(0, 0.15²), drawn in that order and cast to float32, as the
 * article's `generate_data(m=0.1, b=0.3, n=200)`.
 */
export function generateData(rng: RandomState, m = 0.1, b = 0.3, n = 200): { x: Float32Array; y: Float32Array } {
  const x = rng.uniform(-10, 10, n) as Float64Array;
  const noise = rng.normal(0, 0.15, n) as Float64Array;
  const y = x.map((xi, i) => m * xi + b + noise[i]);
  return { x: Float32Array.from(x), y: Float32Array.from(y) };
}
