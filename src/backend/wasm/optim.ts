// Fused optimizer updates on the wasm kernels (assembly/optim.ts), streamed through the wasm
// memory a chunk at a time like the elementwise kernels.
import type { TypedArray } from "../../tensor/dtype.js";
import {
  adagradUpdate as jsAdagradUpdate, adamUpdate as jsAdamUpdate, kerasAdamUpdate as jsKerasAdamUpdate,
  rmspropUpdate as jsRmspropUpdate, sgdMomentumUpdate as jsSgdMomentumUpdate,
} from "../js/optim.js";
import { plainRuntime, type Kernels } from "./runtime.js";

/** Below this many elements the JS loop is as quick as the copies (a bias vector). */
const MIN_ELEMENTS = 256;
/** Elements per chunk: four chunks (p, g, m, v: 256 KiB) stay in L2 between copies and kernel. */
const CHUNK = 16384;

/** See Backend.adamUpdate: float32 in wasm SIMD (the same bits as the JS loop), the rest in JS. */
export function adamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, beta1: number, beta2: number, step: number, bc2: number, eps: number): void {
  // (The kernels take f32 arguments: the JS-to-wasm call rounds each scalar to float32, as the
  // separate ops round the JS numbers they are given.)
  const ran = streamUpdate(p, g, m, v, (k, pp, pg, pm, pv, len) => k.adamF32(pp, pg, pm, pv, len, beta1, 1 - beta1, beta2, 1 - beta2, bc2, eps, -step));
  if (!ran) jsAdamUpdate(p, g, m, v, beta1, beta2, step, bc2, eps);
}

/** See Backend.kerasAdamUpdate; float32 in wasm SIMD as adamUpdate. */
export function kerasAdamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, beta1: number, beta2: number, alpha: number, eps: number): void {
  const ran = streamUpdate(p, g, m, v, (k, pp, pg, pm, pv, len) => k.kerasAdamF32(pp, pg, pm, pv, len, 1 - beta1, 1 - beta2, alpha, eps));
  if (!ran) jsKerasAdamUpdate(p, g, m, v, beta1, beta2, alpha, eps);
}

/** See Backend.rmspropUpdate; float32 in wasm SIMD as adamUpdate. */
export function rmspropUpdate(p: TypedArray, g: TypedArray, v: TypedArray, alpha: number, lr: number, eps: number, keras: boolean): void {
  const ran = streamUpdate(p, g, v, null, (k, pp, pg, pv, _, len) => k.rmspropF32(pp, pg, pv, len, alpha, 1 - alpha, keras ? lr : -lr, eps, keras ? 1 : 0));
  if (!ran) jsRmspropUpdate(p, g, v, alpha, lr, eps, keras);
}

/** See Backend.adagradUpdate; float32 in wasm SIMD as adamUpdate. */
export function adagradUpdate(p: TypedArray, g: TypedArray, a: TypedArray, lr: number, eps: number, keras: boolean): void {
  const ran = streamUpdate(p, g, a, null, (k, pp, pg, pa, _, len) => k.adagradF32(pp, pg, pa, len, keras ? lr : -lr, eps, keras ? 1 : 0));
  if (!ran) jsAdagradUpdate(p, g, a, lr, eps, keras);
}

/** See Backend.sgdMomentumUpdate; float32 in wasm SIMD as adamUpdate. */
export function sgdMomentumUpdate(p: TypedArray, g: TypedArray, b: TypedArray, momentum: number, dampening: number, lr: number, nesterov: boolean, keras: boolean): void {
  const ran = streamUpdate(p, g, b, null, (k, pp, pg, pb, _, len) => k.sgdMomentumF32(pp, pg, pb, len, momentum, 1 - dampening, lr, nesterov ? 1 : 0, keras ? 1 : 0));
  if (!ran) jsSgdMomentumUpdate(p, g, b, momentum, dampening, lr, nesterov, keras);
}

/**
 * Runs an in-place update of float32 p and its state s1 (and s2, unless null) from g through the
 * wasm memory a chunk at a time: `run` calls the kernel on one chunk at the given byte offsets
 * (p2 meaningless without s2). False (nothing done) for other dtypes, small arrays, or when the
 * memory cannot hold a chunk.
 */
function streamUpdate(
  p: TypedArray, g: TypedArray, s1: TypedArray, s2: TypedArray | null,
  run: (k: Kernels, pp: number, pg: number, p1: number, p2: number, len: number) => void,
): boolean {
  const n = p.length;
  const rt = n < MIN_ELEMENTS ? null : plainRuntime();
  if (rt === null || !(p instanceof Float32Array) || !(g instanceof Float32Array) || !(s1 instanceof Float32Array)) return false;
  if (s2 !== null && !(s2 instanceof Float32Array)) return false;
  rt.reset();
  const len = Math.min(n, CHUNK);
  const pp = rt.alloc(len * 4);
  const pg = rt.alloc(len * 4);
  const p1 = rt.alloc(len * 4);
  const p2 = s2 === null ? 0 : rt.alloc(len * 4);
  if (pp < 0 || pg < 0 || p1 < 0 || p2 < 0) return false;
  for (let s = 0; s < n; s += CHUNK) {
    const e = Math.min(n, s + CHUNK);
    const whole = e - s === n;
    rt.putAt(pp, whole ? p : p.subarray(s, e));
    rt.putAt(pg, whole ? g : g.subarray(s, e));
    rt.putAt(p1, whole ? s1 : s1.subarray(s, e));
    if (s2 !== null) rt.putAt(p2, whole ? s2 : s2.subarray(s, e));
    run(rt.kernels, pp, pg, p1, p2, e - s);
    rt.getTo(pp, p, s, e - s);
    rt.getTo(p1, s1, s, e - s);
    if (s2 !== null) rt.getTo(p2, s2, s, e - s);
  }
  return true;
}
