// Keras' optimizers: trajectories against Keras' update formulas (TF >= 2.11), written here
// independently on plain numbers in float64; applyGradients' checks; schedules; minimize.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, ShapeError, ValueError, setWarningHandler, Tensor } from "../src/index.js";

type Opt = InstanceType<typeof tf.keras.optimizers.SGD> | InstanceType<typeof tf.keras.optimizers.Adam> | InstanceType<typeof tf.keras.optimizers.RMSprop> | InstanceType<typeof tf.keras.optimizers.Adagrad>;

const W0 = [1.0, -2.0, 0.5];
const TARGET = [0.3, 0.7, -1.1];
// The gradient of Σ c_i·(w_i − target_i)² / 2 at w (different curvatures per coordinate).
const C = [1, 3, 0.5];
const gradAt = (w: readonly number[]) => w.map((wi, i) => C[i] * (wi - TARGET[i]));

/** Runs `steps` updates of `opt` on a float64 variable, the gradient computed by a tape. */
function runOptimizer(opt: Opt, steps: number): number[][] {
  const w = new tf.Variable(tf.constant(W0, tf.float64));
  const target = tf.constant(TARGET, tf.float64);
  const c = tf.constant(C, tf.float64);
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => tf.reduceSum(tf.multiply(c, tf.square(tf.subtract(w, target)))).div(2));
    const g = tape.gradient(loss, w);
    opt.applyGradients(tf.zip([g], [w]));
    out.push(Array.from(w.dataSync()));
  }
  return out;
}

/** The same steps by a reference update written on numbers. */
function runReference(step: (w: number[], g: number[], t: number) => number[], steps: number): number[][] {
  let w = W0.slice();
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    w = step(w, gradAt(w), t);
    out.push(w.slice());
  }
  return out;
}

function assertTrajectory(got: number[][], want: number[][], tol = 1e-12): void {
  got.forEach((row, s) => row.forEach((v, i) => assert.ok(Math.abs(v - want[s][i]) <= tol * (1 + Math.abs(want[s][i])), `step ${s + 1}, w[${i}]: ${v} vs ${want[s][i]}`)));
}

test("SGD: w -= lr·g", () => {
  const lr = 0.1;
  assertTrajectory(runOptimizer(new tf.keras.optimizers.SGD({ learningRate: lr }), 20), runReference((w, g) => w.map((wi, i) => wi - lr * g[i]), 20));
});

test("SGD with momentum: v = m·v − lr·g; w += v (and Nesterov: w += m·v − lr·g)", () => {
  const lr = 0.05;
  const m = 0.9;
  for (const nesterov of [false, true]) {
    let v = [0, 0, 0];
    const ref = runReference((w, g) => {
      v = v.map((vi, i) => m * vi - lr * g[i]);
      return w.map((wi, i) => wi + (nesterov ? m * v[i] - lr * g[i] : v[i]));
    }, 25);
    assertTrajectory(runOptimizer(new tf.keras.optimizers.SGD({ learningRate: lr, momentum: m, nesterov }), 25), ref);
  }
});

test("Adam: α = lr·sqrt(1−β2ᵗ)/(1−β1ᵗ), w −= α·m/(sqrt(v) + ε̂) (and AMSGrad)", () => {
  const lr = 0.02;
  const [b1, b2, eps] = [0.9, 0.999, 1e-7];
  for (const amsgrad of [false, true]) {
    let m = [0, 0, 0];
    let v = [0, 0, 0];
    let vhat = [0, 0, 0];
    const ref = runReference((w, g, t) => {
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      m = m.map((mi, i) => mi + (g[i] - mi) * (1 - b1));
      v = v.map((vi, i) => vi + (g[i] * g[i] - vi) * (1 - b2));
      vhat = vhat.map((h, i) => Math.max(h, v[i]));
      const den = amsgrad ? vhat : v;
      return w.map((wi, i) => wi - (alpha * m[i]) / (Math.sqrt(den[i]) + eps));
    }, 30);
    assertTrajectory(runOptimizer(new tf.keras.optimizers.Adam({ learningRate: lr, amsgrad }), 30), ref);
  }
});

test("Adam's defaults are Keras' (lr 0.001, β 0.9/0.999, ε 1e-7)", () => {
  const adam = new tf.keras.optimizers.Adam();
  assert.equal(adam.learningRate, 0.001);
  assert.equal(adam.beta1, 0.9);
  assert.equal(adam.beta2, 0.999);
  assert.equal(adam.epsilon, 1e-7);
  assert.equal(new tf.keras.optimizers.SGD().learningRate, 0.01);
});

test("RMSprop: v = ρ·v + (1−ρ)·g², w −= lr·g/sqrt(v + ε) (rho 0.9, ε 1e-7); with momentum and centered", () => {
  const lr = 0.01;
  const rho = 0.9;
  const eps = 1e-7;
  let v = [0, 0, 0];
  assertTrajectory(
    runOptimizer(new tf.keras.optimizers.RMSprop({ learningRate: lr }), 20),
    runReference((w, g) => {
      v = v.map((vi, i) => rho * vi + (1 - rho) * g[i] * g[i]);
      return w.map((wi, i) => wi - (lr * g[i]) / Math.sqrt(v[i] + eps));
    }, 20),
  );
  const mu = 0.5;
  v = [0, 0, 0];
  let mom = [0, 0, 0];
  let avg = [0, 0, 0];
  assertTrajectory(
    runOptimizer(new tf.keras.optimizers.RMSprop({ learningRate: lr, momentum: mu, centered: true }), 20),
    runReference((w, g) => {
      v = v.map((vi, i) => rho * vi + (1 - rho) * g[i] * g[i]);
      avg = avg.map((a, i) => rho * a + (1 - rho) * g[i]);
      const inc = g.map((gi, i) => (gi * lr) / Math.sqrt(v[i] - avg[i] * avg[i] + eps));
      mom = mom.map((mi, i) => mu * mi + inc[i]);
      return w.map((wi, i) => wi - mom[i]);
    }, 20),
  );
});

test("Adagrad: accumulator from 0.1, w −= lr·g/sqrt(acc + ε)", () => {
  const lr = 0.1;
  let acc = [0.1, 0.1, 0.1];
  assertTrajectory(
    runOptimizer(new tf.keras.optimizers.Adagrad({ learningRate: lr }), 20),
    runReference((w, g) => {
      acc = acc.map((a, i) => a + g[i] * g[i]);
      return w.map((wi, i) => wi - (lr * g[i]) / Math.sqrt(acc[i] + 1e-7));
    }, 20),
  );
});

test("learningRate is settable between steps; iterations counts the updates", () => {
  const opt = new tf.keras.optimizers.SGD({ learningRate: 0.1 });
  const w = new tf.Variable(tf.constant([1], tf.float64));
  opt.applyGradients([[tf.constant([1], tf.float64), w]]);
  opt.learningRate = 0.5;
  opt.applyGradients([[tf.constant([1], tf.float64), w]]);
  assert.ok(Math.abs(w.item() - 0.4) < 1e-12);
  assert.equal(opt.iterations.numpy(), 2);
  assert.throws(() => (opt.learningRate = -1), ValueError);
});

test("schedules: ExponentialDecay and PiecewiseConstantDecay evaluated at iterations", () => {
  const exp = new tf.keras.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 });
  assert.ok(Math.abs(exp(4) - 0.025) < 1e-15);
  const stair = new tf.keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5, true);
  assert.ok(Math.abs(stair(3) - 0.05) < 1e-15);
  const pw = new tf.keras.optimizers.schedules.PiecewiseConstantDecay([2, 4], [1, 0.5, 0.1]);
  assert.deepEqual([0, 2, 3, 4, 5].map((s) => pw(s)), [1, 1, 0.5, 0.5, 0.1]);
  // SGD with the schedule: step t (from 0) uses lr(t).
  const opt = new tf.keras.optimizers.SGD({ learningRate: pw });
  const w = new tf.Variable(tf.constant([0], tf.float64));
  for (let t = 0; t < 6; t++) opt.applyGradients([[tf.constant([-1], tf.float64), w]]);
  assert.ok(Math.abs(w.item() - (1 + 1 + 1 + 0.5 + 0.5 + 0.1)) < 1e-12);
  assert.equal(opt.currentLearningRate(), 0.1);
});

test("applyGradients: a gradient of the wrong shape names the variable and both shapes; nothing is updated", () => {
  const opt = new tf.keras.optimizers.SGD({ learningRate: 0.1 });
  const a = new tf.Variable(tf.constant([1, 2]), { name: "a" });
  const b = new tf.Variable(tf.constant([[1], [2]]), { name: "kernel" });
  assert.throws(
    () => opt.applyGradients([[tf.constant([1, 1]), a], [tf.constant([1, 1]), b]]),
    (e: unknown) => e instanceof ShapeError && /'kernel:0'/.test((e as Error).message) && /\[2\]/.test((e as Error).message) && /\[2, 1\]/.test((e as Error).message),
  );
  assert.deepEqual(a.numpy(), [1, 2], "the valid pair was not applied either");
  assert.equal(opt.iterations.numpy(), 0);
});

test("applyGradients: null gradients are skipped with a warning; all null is an error", () => {
  const opt = new tf.keras.optimizers.SGD({ learningRate: 1 });
  const a = new tf.Variable(tf.constant([1]), { name: "a" });
  const b = new tf.Variable(tf.constant([1]), { name: "b" });
  const seen: string[] = [];
  const prev = setWarningHandler((m) => seen.push(m));
  try {
    opt.applyGradients([[tf.constant([1]), a], [null, b]]);
  } finally {
    setWarningHandler(prev);
  }
  assert.deepEqual([a.item(), b.item()], [0, 1]);
  assert.match(seen[0], /Gradients do not exist for variables \['b:0'\]/);
  assert.throws(() => opt.applyGradients([[null, a]]), /no gradients provided for any variable: \['a:0'\]/);
});

test("minimize(lossFn, varList) takes the gradient itself", () => {
  const w = new tf.Variable(tf.constant([0], tf.float64));
  const opt = new tf.keras.optimizers.SGD({ learningRate: 0.1 });
  for (let i = 0; i < 200; i++) opt.minimize(() => tf.reduceSum(tf.square(w.sub(3))), [w]);
  assert.ok(Math.abs(w.item() - 3) < 1e-9);
  assert.throws(() => opt.minimize(tf.constant(1) as Tensor, [w]), /a tape is required/);
});

test("optimizers by name", () => {
  assert.ok(tf.keras.optimizers.get("adam") instanceof tf.keras.optimizers.Adam);
  assert.ok(tf.keras.optimizers.get("RMSprop") instanceof tf.keras.optimizers.RMSprop);
  assert.throws(() => tf.keras.optimizers.get("lbfgs"), /Unknown optimizer: 'lbfgs'. Known optimizers: sgd, adam, rmsprop, adagrad/);
});
