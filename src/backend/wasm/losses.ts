// Fused loss kernels on the wasm backend (assembly/losses.ts). mse_loss's sum must be added as
// this backend's reduce("sum") adds it: in index order (the JS kernel) below reduce.ts's
// MIN_ELEMENTS, in sumContiguous's lane order (the wasm kernel) from there on, float32 only.
import type { TypedArray } from "../../tensor/dtype.js";
import { mseLoss as jsMseLoss, mseLossBackward as jsMseLossBackward, storeLoss } from "../js/losses.js";
import { MIN_ELEMENTS as SUM_MIN_ELEMENTS } from "./reduce.js";
import { plainRuntime } from "./runtime.js";

// Measured per call (Node 20, float32, JS loop → wasm ns): forward 32: 58 → 53, 64: 110 → 63,
// 200: 333 → 114; backward 32: 64 → 77, 48: 91 → 86, 64: 120 → 88, 200: 363 → 121. The
// forward's switch is the sum's (its order must be reduce's); the backward's is measured.
const MIN_BACKWARD = 48;
/** The backward streams large arrays through the memory in chunks of this many elements (as adamUpdate). */
const CHUNK = 16384;

/** See Backend.mseLoss. */
export function mseLoss(x: TypedArray, y: TypedArray, mean: boolean, out: TypedArray): void {
  const n = x.length;
  const rt = n < SUM_MIN_ELEMENTS ? null : plainRuntime();
  if (rt === null || !(x instanceof Float32Array) || !(y instanceof Float32Array)) {
    jsMseLoss(x, y, mean, out);
    return;
  }
  rt.reset();
  const px = rt.alloc(n * 8 + 16);
  if (px < 0) {
    // Out of wasm memory: index order, reduce("sum")'s own fallback.
    jsMseLoss(x, y, mean, out);
    return;
  }
  const py = px + ((n * 4 + 15) & ~15);
  rt.putAt(px, x);
  rt.putAt(py, y);
  storeLoss(rt.kernels.mseSumF32(px, py, n), n, mean, out);
}

/** See Backend.mseLossBackward. */
export function mseLossBackward(x: TypedArray, y: TypedArray, norm: number, g: number, out: TypedArray): void {
  const n = out.length;
  const rt = n < MIN_BACKWARD ? null : plainRuntime();
  if (rt === null || !(x instanceof Float32Array) || !(y instanceof Float32Array) || !(out instanceof Float32Array)) {
    jsMseLossBackward(x, y, norm, g, out);
    return;
  }
  rt.reset();
  const len = (Math.min(n, CHUNK) * 4 + 15) & ~15;
  // The output first: a fixed offset, so the runtime's cached output view serves every call.
  const po = rt.alloc(3 * len);
  if (po < 0) {
    jsMseLossBackward(x, y, norm, g, out);
    return;
  }
  const px = po + len;
  const py = px + len;
  const k = rt.kernels;
  for (let s = 0; s < n; s += CHUNK) {
    const e = Math.min(n, s + CHUNK);
    const whole = e - s === n;
    rt.putAt(px, whole ? x : x.subarray(s, e));
    rt.putAt(py, whole ? y : y.subarray(s, e));
    // (The f32 parameters round norm and g to float32 on the way in, as the JS loop's fround does.)
    k.mseBackwardF32(px, py, po, e - s, norm, g);
    rt.getTo(po, out, s, e - s);
  }
}
