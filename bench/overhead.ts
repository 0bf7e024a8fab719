// Per-op overhead of the eager path and one step of the article's raw loop (issue "Core").
// Run: npm run build && node dist/bench/overhead.js
import { tensor, noGrad, mean, square, RandomState } from "../src/index.js";
import type { Tensor } from "../src/index.js";

function timeNs(label: string, iters: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(iters, 20000); i++) fn(); // warm up the JIT
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) fn();
    runs.push(Number(process.hrtime.bigint() - t0) / iters);
  }
  runs.sort((a, b) => a - b);
  const med = runs[3];
  console.log(`${label.padEnd(48)} ${med.toFixed(0).padStart(8)} ns  (min ${runs[0].toFixed(0)}, max ${runs[6].toFixed(0)})`);
  return med;
}

const a = tensor([1.5]);
const b = tensor([2.5]);
timeNs("1-element add, no recording", 200000, () => a.add(b));
const ag = tensor([1.5], { requiresGrad: true });
timeNs("1-element add, recorded for grad", 200000, () => ag.add(b));

// The article's raw loop: 200 points, x @ w + b, mean squared error, backward, update under noGrad.
const rng = new RandomState(0);
const xs = Float32Array.from(rng.uniform(-10, 10, 200) as Float64Array);
const noise = rng.normal(0, 0.15, 200) as Float64Array;
const ys = xs.map((x, i) => 0.1 * x + 0.3 + noise[i]);
const inputs = tensor(xs).reshape(-1, 1);
const labels = tensor(ys).reshape(-1, 1);
const w = tensor([[0.01]], { requiresGrad: true });
const bias = tensor([0.02], { requiresGrad: true });
const step = (): Tensor => {
  const loss = mean(square(inputs.matmul(w).add(bias).sub(labels)));
  loss.backward();
  noGrad(() => {
    w.sub_(w.grad!.mul(0.01));
    bias.sub_(bias.grad!.mul(0.01));
    w.grad!.zero_();
    bias.grad!.zero_();
  });
  return loss;
};
timeNs("article raw loop, one step (200 points)", 20000, step);
