// GradientTape: gradients equal the engine's `grad` and central finite differences in float64;
// persistence, nesting (second derivatives), watching, unconnected sources, result structure,
// stopRecording, reset, jacobians.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, grad, AutogradError, Tensor } from "../src/index.js";

const f64 = (v: number[] | number[][] | number) => tf.constant(v as number[], tf.float64);
const vals = (t: Tensor | null): number[] => Array.from(t!.dataSync());

function close(a: readonly number[], b: readonly number[], tol: number, msg = ""): void {
  assert.equal(a.length, b.length, `${msg}: lengths ${a.length} vs ${b.length}`);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tol * (1 + Math.abs(b[i])), `${msg}[${i}]: ${x} vs ${b[i]}`));
}

/** Central differences of a scalar function of `x`'s values, in float64. */
function numericGrad(f: (x: Tensor) => Tensor, x0: number[], shape: number[], h = 1e-6): number[] {
  return x0.map((_, i) => {
    const up = x0.slice();
    const dn = x0.slice();
    up[i] += h;
    dn[i] -= h;
    const fu = f(tf.reshape(tf.constant(up, tf.float64), shape)).item();
    const fd = f(tf.reshape(tf.constant(dn, tf.float64), shape)).item();
    return (fu - fd) / (2 * h);
  });
}

// A function with broadcasting, a matmul, a reduction and nonlinearities.
const fn = (x: Tensor, w: Tensor): Tensor => tf.reduceSum(tf.tanh(tf.matmul(x, w)).mul(tf.sigmoid(x).sum(1, true)).add(tf.square(w).mean()));

test("tape gradients of variables equal the engine's grad and finite differences", () => {
  const x0 = [0.3, -1.2, 0.7, 2.0, -0.4, 0.9];
  const w0 = [0.5, -0.25, 1.5, 0.1, -0.8, 0.3];
  const x = tf.constant([x0.slice(0, 3), x0.slice(3)], tf.float64);
  const w = new tf.Variable(tf.reshape(f64(w0), [3, 2]));
  const tape = new tf.GradientTape();
  const y = tape.record(() => fn(x, w));
  const dw = tape.gradient(y, w);
  // The engine directly (torch.autograd.grad) on a fresh graph.
  const wl = tf.reshape(f64(w0), [3, 2]).requiresGrad_();
  const [ref] = grad(fn(x, wl), [wl]);
  close(vals(dw), vals(ref), 1e-12, "vs engine");
  close(vals(dw), numericGrad((t) => fn(x, t), w0, [3, 2]), 1e-7, "vs finite differences");
  assert.equal(w.grad, null, "tape.gradient leaves .grad alone");
});

test("a watched constant gets a gradient; an unwatched one gets null", () => {
  const x = f64([1, 2, 3]);
  const c = f64([4, 5, 6]);
  const tape = new tf.GradientTape();
  const y = tape.record(() => {
    tape.watch(x);
    return tf.reduceSum(tf.multiply(tf.square(x), c));
  });
  const [dx, dc] = tape.gradient(y, [x, c]);
  close(vals(dx), [8, 20, 36], 1e-12, "dx = 2·x·c");
  assert.equal(dc, null);
});

test("trainable variables read inside record are watched; non-trainable ones and reads outside are not", () => {
  const w = new tf.Variable(f64([2]));
  const frozen = new tf.Variable(f64([3]), { trainable: false });
  const outside = w.mul(10); // computed before the tape: a constant to it
  const tape = new tf.GradientTape();
  const y = tape.record(() => tf.reduceSum(w.mul(w).mul(frozen).add(outside)));
  assert.deepEqual(tape.watchedVariables(), [w]);
  const [dw, dfrozen] = tape.gradient(y, [w, frozen]);
  close(vals(dw), [12], 1e-12, "d(3w² + 10w₀)/dw ignores the outside term");
  assert.equal(dfrozen, null);
});

test("watchAccessedVariables: false watches only what watch() is given", () => {
  const a = new tf.Variable(f64([1.5]));
  const b = new tf.Variable(f64([-2]));
  const tape = new tf.GradientTape({ watchAccessedVariables: false });
  const y = tape.record(() => {
    tape.watch(a);
    return tf.reduceSum(a.mul(b));
  });
  const [da, db] = tape.gradient(y, [a, b]);
  close(vals(da), [-2], 0);
  assert.equal(db, null);
});

test("a non-persistent tape gives one gradient; a second call is an error; a persistent one gives many", () => {
  const x = new tf.Variable(f64([3]));
  const tape = new tf.GradientTape();
  const y = tape.record(() => x.mul(x));
  tape.gradient(y, x);
  assert.throws(() => tape.gradient(y, x), (e: unknown) => e instanceof AutogradError && /non-persistent GradientTape can only be used to compute one set of gradients/.test((e as Error).message));

  const p = new tf.GradientTape({ persistent: true });
  const [y1, y2] = p.record(() => [x.mul(x), x.mul(x).mul(x)]);
  close(vals(p.gradient(y1, x)), [6], 0);
  close(vals(p.gradient(y2, x)), [27], 0);
  close(vals(p.gradient(y1, x)), [6], 0, "again");
});

test("nested tapes give second derivatives (and third)", () => {
  const x = tf.constant(2, tf.float64);
  const t3 = new tf.GradientTape();
  const t2 = new tf.GradientTape();
  const t1 = new tf.GradientTape();
  let d1: Tensor | null = null;
  let d2: Tensor | null = null;
  const d3 = t3.record(() => {
    t3.watch(x);
    d2 = t2.record(() => {
      t2.watch(x);
      d1 = t1.record(() => {
        t1.watch(x);
        const y = tf.pow(x, 4).add(tf.sin(x));
        return y;
      });
      d1 = t1.gradient(d1!, x);
      return d1;
    });
    d2 = t2.gradient(d2!, x);
    return d2;
  });
  const third = t3.gradient(d3 as unknown as Tensor, x);
  // y = x⁴ + sin x: y' = 4x³ + cos x, y'' = 12x² − sin x, y''' = 24x − cos x
  close([d1!.item()], [32 + Math.cos(2)], 1e-12, "first");
  close([d2!.item()], [48 - Math.sin(2)], 1e-12, "second");
  close([third.item()], [48 - Math.cos(2)], 1e-12, "third");
});

test("the classic TF pattern: inner gradient taken inside the outer tape", () => {
  const x = new tf.Variable(f64([1.5, -0.5]));
  const outer = new tf.GradientTape();
  const dydx = outer.record(() => {
    const inner = new tf.GradientTape();
    const y = inner.record(() => tf.reduceSum(tf.exp(x).mul(x)));
    return inner.gradient(y, x); // (1 + x)·eˣ
  });
  const d2 = outer.gradient(dydx, x); // (2 + x)·eˣ
  close(vals(d2), [3.5 * Math.exp(1.5), 1.5 * Math.exp(-0.5)], 1e-12);
});

test("unconnectedGradients: null by default, zeros with 'zero'", () => {
  const a = new tf.Variable(f64([1, 2]));
  const b = new tf.Variable(f64([[1, 2], [3, 4]]));
  const tape = new tf.GradientTape({ persistent: true });
  const y = tape.record(() => tf.reduceSum(a.mul(a)));
  assert.equal(tape.gradient(y, b), null);
  const z = tape.gradient(y, b, { unconnectedGradients: "zero" });
  assert.deepEqual(z.shape, [2, 2]);
  assert.deepEqual(vals(z), [0, 0, 0, 0]);
  assert.throws(() => tape.gradient(y, b, { unconnectedGradients: "maybe" as "zero" }), /unconnectedGradients must be "none" or "zero"/);
});

test("the result has the sources' structure: tensor, array, nested object", () => {
  const a = new tf.Variable(f64([1]));
  const b = new tf.Variable(f64([2]));
  const c = new tf.Variable(f64([3]));
  const tape = new tf.GradientTape({ persistent: true });
  const y = tape.record(() => tf.reduceSum(a.mul(b).mul(c)));
  const single = tape.gradient(y, a);
  assert.ok(single instanceof Tensor);
  const arr = tape.gradient(y, [a, b]);
  assert.ok(Array.isArray(arr) && arr.length === 2);
  const obj = tape.gradient(y, { first: a, rest: [b, { deep: c }] });
  close(vals(obj.first), [6], 0);
  close(vals(obj.rest[0] as Tensor), [3], 0);
  close(vals((obj.rest[1] as { deep: Tensor }).deep), [2], 0);
});

test("outputGradients weight the targets; several targets sum", () => {
  const x = new tf.Variable(f64([1, 2, 3]));
  const tape = new tf.GradientTape({ persistent: true });
  const [y, z] = tape.record(() => [x.mul(x), x.mul(3)]);
  close(vals(tape.gradient(y, x, { outputGradients: f64([1, 0, -1]) })), [2, 0, -6], 0);
  close(vals(tape.gradient(y, x)), [2, 4, 6], 0, "non-scalar target: the gradient of its sum");
  close(vals(tape.gradient([y, z], x)), [5, 7, 9], 0);
  assert.throws(() => tape.gradient(y, x, { outputGradients: f64([1, 2]) }), /output gradient 0 has shape \[2\] but target 0 has shape \[3\]/);
});

test("stopRecording pauses this tape only; reset forgets", () => {
  const x = new tf.Variable(f64([2]));
  const outer = new tf.GradientTape();
  const tape = new tf.GradientTape({ persistent: true });
  const [y, yo] = outer.record(() =>
    tape.record(() => {
      const a = x.mul(x);
      const b = tape.stopRecording(() => x.mul(10));
      return [tf.reduceSum(a.add(b)), tf.reduceSum(b)];
    }),
  );
  close(vals(tape.gradient(y, x)), [4], 0, "the paused part is a constant to this tape");
  close(vals(outer.gradient(yo, x)), [10], 0, "the outer tape saw it");
  assert.throws(() => tape.stopRecording(() => 0), /not recording/);
  tape.reset();
  assert.equal(tape.gradient(y, x), null, "after reset nothing is recorded");
});

test("tf.stopGradient blocks the gradient", () => {
  const x = new tf.Variable(f64([3]));
  const tape = new tf.GradientTape();
  const y = tape.record(() => tf.reduceSum(x.mul(tf.stopGradient(x))));
  close(vals(tape.gradient(y, x)), [3], 0);
});

test("jacobian and batchJacobian", () => {
  const x = new tf.Variable(f64([1, 2]));
  const tape = new tf.GradientTape({ persistent: true });
  const y = tape.record(() => tf.stack([x.mul(x).sum(), x.prod(), tf.sin(x).sum()]));
  const j = tape.jacobian(y, x);
  assert.deepEqual(j.shape, [3, 2]);
  close(vals(j), [2, 4, 2, 1, Math.cos(1), Math.cos(2)], 1e-12);

  const xb = new tf.Variable(f64([[1, 2], [3, 4], [5, 6]]));
  const w = f64([[1, 0, 2], [0, 1, -1]]);
  const yb = tape.record(() => tf.square(tf.matmul(xb, w))); // [3, 3]
  const bj = tape.batchJacobian(yb, xb)!;
  assert.deepEqual(bj.shape, [3, 3, 2]);
  // d(h_j²)/dx_k = 2·h_j·w[k][j], per batch row.
  const rows = [[1, 2], [3, 4], [5, 6]];
  const expect: number[] = [];
  for (const r of rows) {
    const h = [r[0], r[1], 2 * r[0] - r[1]];
    const W = [[1, 0, 2], [0, 1, -1]];
    for (let jj = 0; jj < 3; jj++) for (let k = 0; k < 2; k++) expect.push(2 * h[jj] * W[k][jj]);
  }
  close(vals(bj), expect, 1e-12);
  const full = tape.jacobian(yb, xb);
  assert.deepEqual(full.shape, [3, 3, 3, 2]);
  assert.throws(() => tape.batchJacobian(yb, f64([1, 2])), /same first \(batch\) dimension/);
});

test("gradient with respect to an intermediate tensor computed on the tape", () => {
  const x = new tf.Variable(f64([1, 2]));
  const tape = new tf.GradientTape();
  let h: Tensor | null = null;
  const y = tape.record(() => {
    h = x.mul(3);
    return tf.reduceSum(tf.square(h));
  });
  close(vals(tape.gradient(y, h!)), [6, 12], 0);
});
