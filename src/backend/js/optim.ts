// Fused optimizer updates: one pass where the op sequence of src/optim makes a dozen. Each line
// rounds (Math.fround for float32) where one of those ops would, so the bits are the same.
import type { TypedArray } from "../../tensor/dtype.js";

const f = Math.fround;

/** See Backend.adamUpdate. */
export function adamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, beta1: number, beta2: number, step: number, bc2: number, eps: number): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    // The scalars as the float32 ops receive them: JS numbers, rounded to float32.
    const b1 = f(beta1), omb1 = f(1 - beta1), b2 = f(beta2), omb2 = f(1 - beta2);
    const c2 = f(bc2), e = f(eps), s = f(-step);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = f(f(m[i] * b1) + f(gi * omb1));
      const vi = f(f(v[i] * b2) + f(f(gi * omb2) * gi));
      const den = f(f(f(Math.sqrt(vi)) / c2) + e);
      m[i] = mi;
      v[i] = vi;
      p[i] = f(p[i] + f(f(mi * s) / den));
    }
    return;
  }
  const omb1 = 1 - beta1, omb2 = 1 - beta2, s = -step;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = m[i] * beta1 + gi * omb1;
    const vi = v[i] * beta2 + gi * omb2 * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] + (mi * s) / (Math.sqrt(vi) / bc2 + eps);
  }
}

/** See Backend.kerasAdamUpdate. */
export function kerasAdamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, beta1: number, beta2: number, alpha: number, eps: number): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const omb1 = f(1 - beta1), omb2 = f(1 - beta2), a = f(alpha), e = f(eps);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = f(m[i] + f(f(gi - m[i]) * omb1));
      const vi = f(v[i] + f(f(f(gi * gi) - v[i]) * omb2));
      m[i] = mi;
      v[i] = vi;
      p[i] = f(p[i] - f(f(mi * a) / f(f(Math.sqrt(vi)) + e)));
    }
    return;
  }
  const omb1 = 1 - beta1, omb2 = 1 - beta2;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = m[i] + (gi - m[i]) * omb1;
    const vi = v[i] + (gi * gi - v[i]) * omb2;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] - (mi * alpha) / (Math.sqrt(vi) + eps);
  }
}

/** See Backend.rmspropUpdate. */
export function rmspropUpdate(p: TypedArray, g: TypedArray, v: TypedArray, alpha: number, lr: number, eps: number, keras: boolean): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const a = f(alpha), oma = f(1 - alpha), l = f(keras ? lr : -lr), e = f(eps);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      if (keras) {
        const vi = f(f(v[i] * a) + f(f(gi * gi) * oma));
        v[i] = vi;
        p[i] = f(p[i] - f(f(gi * l) * f(1 / Math.sqrt(f(vi + e)))));
      } else {
        const vi = f(f(v[i] * a) + f(f(gi * oma) * gi));
        v[i] = vi;
        p[i] = f(p[i] + f(f(gi * l) / f(f(Math.sqrt(vi)) + e)));
      }
    }
    return;
  }
  const oma = 1 - alpha;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    if (keras) {
      const vi = v[i] * alpha + gi * gi * oma;
      v[i] = vi;
      p[i] = p[i] - gi * lr * (1 / Math.sqrt(vi + eps));
    } else {
      const vi = v[i] * alpha + gi * oma * gi;
      v[i] = vi;
      p[i] = p[i] + (gi * -lr) / (Math.sqrt(vi) + eps);
    }
  }
}

/** See Backend.adagradUpdate. */
export function adagradUpdate(p: TypedArray, g: TypedArray, a: TypedArray, lr: number, eps: number, keras: boolean): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const l = f(keras ? lr : -lr), e = f(eps);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const ai = f(a[i] + f(gi * gi));
      a[i] = ai;
      p[i] = keras ? f(p[i] - f(f(gi * l) / f(Math.sqrt(f(ai + e))))) : f(p[i] + f(f(gi * l) / f(f(Math.sqrt(ai)) + e)));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const ai = a[i] + gi * gi;
    a[i] = ai;
    p[i] = keras ? p[i] - (gi * lr) / Math.sqrt(ai + eps) : p[i] + (gi * -lr) / (Math.sqrt(ai) + eps);
  }
}

/** See Backend.sgdMomentumUpdate. */
export function sgdMomentumUpdate(p: TypedArray, g: TypedArray, b: TypedArray, momentum: number, dampening: number, lr: number, nesterov: boolean, keras: boolean): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const mu = f(momentum), omd = f(1 - dampening), l = f(lr);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      if (keras) {
        const s = f(-gi * l);
        const bi = f(s + f(b[i] * mu));
        b[i] = bi;
        p[i] = f(p[i] + (nesterov ? f(s + f(bi * mu)) : bi));
      } else {
        const bi = f(f(b[i] * mu) + f(gi * omd));
        b[i] = bi;
        p[i] = f(p[i] + f((nesterov ? f(gi + f(bi * mu)) : bi) * -l));
      }
    }
    return;
  }
  const omd = 1 - dampening;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    if (keras) {
      const s = -gi * lr;
      const bi = s + b[i] * momentum;
      b[i] = bi;
      p[i] = p[i] + (nesterov ? s + bi * momentum : bi);
    } else {
      const bi = b[i] * momentum + gi * omd;
      b[i] = bi;
      p[i] = p[i] + (nesterov ? gi + bi * momentum : bi) * -lr;
    }
  }
}
