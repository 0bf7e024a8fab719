import { hi, lo } from "./reduce";

// Fused optimizer updates in float32. Each SIMD operation rounds to float32 exactly as the
// separate elementwise ops of src/optim compute them one after the other, so the fused update
// gives the same bits in a single pass instead of a dozen.

/**
 * PyTorch's Adam step (no weight decay, no amsgrad) over n float32 elements, in place on p, m, v:
 *   m = m·b1 + g·(1−b1);  v = v·b2 + (g·(1−b2))·g
 *   p = p + (m·(−step)) / (sqrt(v) / bc2 + eps)
 * Scalars come rounded to float32, as the ops receive them (JS numbers beside float32 tensors).
 */
export function adamF32(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  b1: f32, omb1: f32, b2: f32, omb2: f32, bc2: f32, eps: f32, negStep: f32,
): void {
  const vb1 = f32x4.splat(b1), vomb1 = f32x4.splat(omb1), vb2 = f32x4.splat(b2), vomb2 = f32x4.splat(omb2);
  const vbc2 = f32x4.splat(bc2), veps = f32x4.splat(eps), vstep = f32x4.splat(negStep);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(gi, vomb1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(gi, vomb2), gi));
    const den = f32x4.add(f32x4.div(f32x4.sqrt(vi), vbc2), veps);
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.add(v128.load(p + o), f32x4.div(f32x4.mul(mi, vstep), den)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = load<f32>(m + o) * b1 + gi * omb1;
    const vi = load<f32>(v + o) * b2 + gi * omb2 * gi;
    const den = sqrt<f32>(vi) / bc2 + eps;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, load<f32>(p + o) + (mi * negStep) / den);
  }
}

/**
 * Keras' Adam step (no amsgrad) over n float32 elements, in place on p, m, v:
 *   m = m + (g − m)·(1−b1);  v = v + (g·g − v)·(1−b2);  p = p − (m·alpha) / (sqrt(v) + eps)
 */
export function kerasAdamF32(p: usize, g: usize, m: usize, v: usize, n: i32, omb1: f32, omb2: f32, alpha: f32, eps: f32): void {
  const vomb1 = f32x4.splat(omb1), vomb2 = f32x4.splat(omb2), valpha = f32x4.splat(alpha), veps = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const m0 = v128.load(m + o);
    const v0 = v128.load(v + o);
    const mi = f32x4.add(m0, f32x4.mul(f32x4.sub(gi, m0), vomb1));
    const vi = f32x4.add(v0, f32x4.mul(f32x4.sub(f32x4.mul(gi, gi), v0), vomb2));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.div(f32x4.mul(mi, valpha), f32x4.add(f32x4.sqrt(vi), veps))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const m0 = load<f32>(m + o);
    const v0 = load<f32>(v + o);
    const mi = m0 + (gi - m0) * omb1;
    const vi = v0 + (gi * gi - v0) * omb2;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, load<f32>(p + o) - (mi * alpha) / (sqrt<f32>(vi) + eps));
  }
}

/**
 * RMSprop's step (no weight decay, momentum or centering) over n float32, in place on p, v.
 * PyTorch's: v = v·a + (g·(1−a))·g; p = p + (g·lr) / (sqrt(v) + eps) (lr negative). Keras' with
 * `keras`: v = v·a + (g·g)·(1−a); p = p − (g·lr)·r, r = 1/sqrt(v + eps) computed in f64 and
 * rounded once, as the JS rsqrt kernel rounds it.
 */
export function rmspropF32(p: usize, g: usize, v: usize, n: i32, a: f32, oma: f32, lr: f32, eps: f32, keras: bool): void {
  const va = f32x4.splat(a), voma = f32x4.splat(oma), vlr = f32x4.splat(lr), veps = f32x4.splat(eps);
  const one = f64x2.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const pi = v128.load(p + o);
    if (keras) {
      const vi = f32x4.add(f32x4.mul(v128.load(v + o), va), f32x4.mul(f32x4.mul(gi, gi), voma));
      v128.store(v + o, vi);
      const den = f32x4.add(vi, veps);
      const rl = f32x4.demote_f64x2_zero(f64x2.div(one, f64x2.sqrt(lo(den))));
      const rh = f32x4.demote_f64x2_zero(f64x2.div(one, f64x2.sqrt(hi(den))));
      const r = v128.shuffle<f32>(rl, rh, 0, 1, 4, 5);
      v128.store(p + o, f32x4.sub(pi, f32x4.mul(f32x4.mul(gi, vlr), r)));
    } else {
      const vi = f32x4.add(f32x4.mul(v128.load(v + o), va), f32x4.mul(f32x4.mul(gi, voma), gi));
      v128.store(v + o, vi);
      v128.store(p + o, f32x4.add(pi, f32x4.div(f32x4.mul(gi, vlr), f32x4.add(f32x4.sqrt(vi), veps))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const pi = load<f32>(p + o);
    if (keras) {
      const vi = load<f32>(v + o) * a + gi * gi * oma;
      store<f32>(v + o, vi);
      store<f32>(p + o, pi - gi * lr * <f32>(1.0 / Math.sqrt(<f64>(vi + eps))));
    } else {
      const vi = load<f32>(v + o) * a + gi * oma * gi;
      store<f32>(v + o, vi);
      store<f32>(p + o, pi + (gi * lr) / (sqrt<f32>(vi) + eps));
    }
  }
}

/**
 * Adagrad's step over n float32, in place on p and the accumulator acc: acc = acc + g·g, then
 * PyTorch's p = p + (g·lr) / (sqrt(acc) + eps) (lr negative), or with `keras`
 * p = p − (g·lr) / sqrt(acc + eps).
 */
export function adagradF32(p: usize, g: usize, acc: usize, n: i32, lr: f32, eps: f32, keras: bool): void {
  const vlr = f32x4.splat(lr), veps = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const ai = f32x4.add(v128.load(acc + o), f32x4.mul(gi, gi));
    v128.store(acc + o, ai);
    const step = f32x4.mul(gi, vlr);
    const pi = v128.load(p + o);
    v128.store(p + o, keras
      ? f32x4.sub(pi, f32x4.div(step, f32x4.sqrt(f32x4.add(ai, veps))))
      : f32x4.add(pi, f32x4.div(step, f32x4.add(f32x4.sqrt(ai), veps))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const ai = load<f32>(acc + o) + gi * gi;
    store<f32>(acc + o, ai);
    const pi = load<f32>(p + o);
    store<f32>(p + o, keras ? pi - (gi * lr) / sqrt<f32>(ai + eps) : pi + (gi * lr) / (sqrt<f32>(ai) + eps));
  }
}

/**
 * SGD's step with momentum over n float32, in place on p and the buffer b. PyTorch's (buffer
 * already made, no weight decay): b = b·mu + g·omd; p = p + d·(−lr), d = b or, with `nesterov`,
 * g + b·mu. Keras' with `keras`: s = (−g)·lr; b = s + b·mu; p = p + d, d = b or s + b·mu.
 */
export function sgdMomentumF32(p: usize, g: usize, b: usize, n: i32, mu: f32, omd: f32, lr: f32, nesterov: bool, keras: bool): void {
  const vmu = f32x4.splat(mu), vomd = f32x4.splat(omd), vlr = f32x4.splat(lr), vneg = f32x4.splat(-lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    if (keras) {
      const s = f32x4.mul(f32x4.neg(gi), vlr);
      const bi = f32x4.add(s, f32x4.mul(v128.load(b + o), vmu));
      v128.store(b + o, bi);
      v128.store(p + o, f32x4.add(v128.load(p + o), nesterov ? f32x4.add(s, f32x4.mul(bi, vmu)) : bi));
    } else {
      const bi = f32x4.add(f32x4.mul(v128.load(b + o), vmu), f32x4.mul(gi, vomd));
      v128.store(b + o, bi);
      const d = nesterov ? f32x4.add(gi, f32x4.mul(bi, vmu)) : bi;
      v128.store(p + o, f32x4.add(v128.load(p + o), f32x4.mul(d, vneg)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    if (keras) {
      const s = -gi * lr;
      const bi = s + load<f32>(b + o) * mu;
      store<f32>(b + o, bi);
      store<f32>(p + o, load<f32>(p + o) + (nesterov ? s + bi * mu : bi));
    } else {
      const bi = load<f32>(b + o) * mu + gi * omd;
      store<f32>(b + o, bi);
      store<f32>(p + o, load<f32>(p + o) + (nesterov ? gi + bi * mu : bi) * -lr);
    }
  }
}
