// TensorFlow's GradientTape over the one engine: a tape records the graph nodes made while it is
// active and whose inputs it tracks, and `gradient` runs the engine restricted to those nodes,
// returning gradients without touching `.grad`.
import { Tensor } from "../tensor/tensor.js";
import { isFloating } from "../tensor/dtype.js";
import { fmtShape, numel, shapesEqual } from "../tensor/shape.js";
import { AutogradError, ValueError } from "../tensor/errors.js";
import { eye, full } from "../tensor/creation.js";
import { enableGrad } from "./grad_mode.js";
import { popRecorder, pushRecorder, type Node, type Recorder } from "./node.js";
import { runEngine } from "./engine.js";
import { onesLike, zerosLike } from "../ops/api.js";
import { expand, reshape, select, stack } from "../ops/shape.js";

/** A tensor, or arrays and plain objects of them, any depth (TensorFlow's "nested structure"). */
export type Nested<T> = T | readonly Nested<T>[] | { readonly [key: string]: Nested<T> };

/**
 * What `gradient` returns for a source of structure `S`: the same structure of tensors. An
 * unconnected source gets null at run time (TF's None); it is typed `Tensor` so that ported code
 * reads as in Python (`const [dw, db] = tape.gradient(loss, [w, b]); dw.mul(lr)`).
 */
export type GradientOf<S> = S extends Tensor
  ? Tensor
  : S extends readonly unknown[]
    ? { [K in keyof S]: GradientOf<S[K]> }
    : S extends object
      ? { [K in keyof S]: GradientOf<S[K]> }
      : never;

export interface GradientTapeOptions {
  /** Allow several `gradient`/`jacobian` calls (TF's `persistent`). Default false. */
  persistent?: boolean;
  /** Watch every trainable variable read while recording. Default true. */
  watchAccessedVariables?: boolean;
}

export interface TapeGradientOptions {
  /** The gradient of each target (TF's `output_gradients`); ones when omitted. */
  outputGradients?: Tensor | readonly (Tensor | null)[] | null;
  /** What an unconnected source gets: null ("none", TF's None) or zeros ("zero"). */
  unconnectedGradients?: "none" | "zero";
}

// Tapes currently recording, innermost last: their presence makes `gradient` build a graph that
// they record in turn (higher-order gradients through nested tapes).
const active: GradientTape[] = [];
// Constants made to require grad by `watch`: not variables, so other tapes do not watch them on access.
const watchedConstants = new WeakSet<Tensor>();

function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** The tensors of a nested structure in order (arrays by index, objects by key order). */
function flattenNested(op: string, s: unknown, out: Tensor[] = []): Tensor[] {
  if (isTensor(s)) out.push(s);
  else if (Array.isArray(s)) for (const x of s) flattenNested(op, x, out);
  else if (isPlainObject(s)) for (const k of Object.keys(s)) flattenNested(op, s[k], out);
  else throw new ValueError(`${op}: expected a tensor, a variable, or arrays/objects of them, got ${s === null ? "null" : typeof s}`);
  return out;
}

/** Rebuilds `s`'s structure (a lone tensor included) with the values of `flat`, in flattenNested's order. */
function packNested<T>(s: unknown, flat: readonly T[]): unknown {
  let i = 0;
  const go = (x: unknown): unknown => {
    if (isTensor(x)) return flat[i++];
    if (Array.isArray(x)) return x.map(go);
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(x as object)) o[k] = go((x as Record<string, unknown>)[k]);
    return o;
  };
  return go(s);
}

/**
 * Records operations for automatic differentiation, as TensorFlow's `tf.GradientTape`. Operations
 * run inside `record(fn)` are recorded when they read a watched tensor (trainable variables read
 * there are watched automatically); `gradient(target, sources)` then differentiates the target
 * with respect to the sources through the recorded operations only.
 *
 * @example
 * const x = tf.constant(3);
 * const tape = new GradientTape();
 * const y = tape.record(() => { tape.watch(x); return x.mul(x); });
 * tape.gradient(y, x); // 6
 */
export class GradientTape {
  readonly persistent: boolean;
  readonly watchAccessedVariables: boolean;
  private nodes = new WeakSet<Node>();
  private watchedSet = new WeakSet<Tensor>();
  private watchedList: Tensor[] = [];
  private used = false;
  private recording = false;
  private paused = 0;
  // What the node layer calls for every node created while this tape records.
  private readonly recorder: Recorder = { record: (n) => this.recordNode(n) };

  constructor(opts: GradientTapeOptions = {}) {
    this.persistent = opts.persistent ?? false;
    this.watchAccessedVariables = opts.watchAccessedVariables ?? true;
  }

  /** Whether `t` is differentiable on this tape: watched, or made by an operation this tape recorded. */
  private tracks(t: Tensor): boolean {
    return this.watchedSet.has(t) || (t.gradFn !== null && this.nodes.has(t.gradFn));
  }

  /**
   * Runs `fn` with this tape recording and returns its result (TF's `with tape:` block).
   * A tape may record several blocks; they add to one another.
   */
  record<T>(fn: () => T): T {
    this.start();
    try {
      return enableGrad(fn);
    } finally {
      this.stop();
    }
  }

  private recordNode(n: Node): void {
    let hit = false;
    for (const x of n.inputs) {
      if (this.tracks(x)) hit = true;
      else if (this.watchAccessedVariables && x.requiresGrad && x.gradFn === null && !watchedConstants.has(x)) {
        this.addWatched(x);
        hit = true;
      }
    }
    if (hit) this.nodes.add(n);
  }

  /**
   * Starts recording, for code that cannot use a callback; pair it with `stop()`.
   * @example tape.start(); const y = f(x); tape.stop();
   */
  start(): void {
    if (this.recording) throw new AutogradError("GradientTape: this tape is already recording");
    this.recording = true;
    this.listen();
  }

  /** Stops recording (after `start()`). */
  stop(): void {
    if (!this.recording) throw new AutogradError("GradientTape: this tape is not recording");
    this.recording = false;
    this.unlisten();
  }

  /** Starts receiving new nodes and counting as an active tape. */
  private listen(): void {
    pushRecorder(this.recorder);
    active.push(this);
  }

  /** Undoes {@link listen}. */
  private unlisten(): void {
    popRecorder(this.recorder);
    const i = active.lastIndexOf(this);
    if (i >= 0) active.splice(i, 1);
  }

  /** Whether the tape is recording now. */
  get isRecording(): boolean {
    return this.recording && this.paused === 0;
  }

  private addWatched(t: Tensor): void {
    if (this.watchedSet.has(t)) return;
    this.watchedSet.add(t);
    this.watchedList.push(t);
  }

  /**
   * Watches tensors (or arrays/objects of them) so that gradients with respect to them can be
   * taken; needed for constants and for variables when `watchAccessedVariables` is false.
   * Integer and boolean tensors cannot be watched (TF warns and ignores them; duograd ignores them).
   */
  watch(tensors: Nested<Tensor>): void {
    for (const t of flattenNested("GradientTape.watch", tensors)) {
      if (!isFloating(t.dtype)) continue;
      if (!t.requiresGrad && t.gradFn === null) {
        t.requiresGrad = true;
        watchedConstants.add(t);
      }
      this.addWatched(t);
    }
  }

  /** The variables (and tensors) this tape watches, in the order they were first watched. */
  watchedVariables(): Tensor[] {
    return this.watchedList.slice();
  }

  /**
   * Runs `fn` with this tape not recording (TF's `with tape.stop_recording():`); other tapes
   * keep recording. Returns what `fn` returns.
   */
  stopRecording<T>(fn: () => T): T {
    if (!this.recording) throw new AutogradError("GradientTape.stopRecording: trying to stop recording a tape which is not recording");
    this.unlisten();
    this.paused++;
    try {
      return fn();
    } finally {
      this.paused--;
      this.listen();
    }
  }

  /** Forgets everything recorded and watched (as exiting the tape and entering a new one). */
  reset(): void {
    this.nodes = new WeakSet();
    this.watchedSet = new WeakSet();
    this.watchedList = [];
    this.used = false;
  }

  private checkUsable(op: string): void {
    if (this.used && !this.persistent) {
      throw new AutogradError(
        `GradientTape.${op}: a non-persistent GradientTape can only be used to compute one set of gradients (or jacobians); create it with { persistent: true } to call gradient more than once`,
      );
    }
  }

  /** The engine over this tape's nodes: gradients of `targets` (seeded by `seeds`) for `sources`. */
  private run(targets: readonly Tensor[], seeds: readonly Tensor[], sources: readonly Tensor[]): (Tensor | null)[] {
    // While a tape records (this one or an outer one), the backward pass is itself recorded.
    const createGraph = active.length > 0;
    const nodes = this.nodes;
    const raw = runEngine(targets, seeds, { createGraph, retainGraph: true, targets: sources, filter: (n) => nodes.has(n) });
    // A source the tape does not track gets no gradient, even if the engine reached it.
    return raw.map((g, i) => (g !== null && (this.tracks(sources[i]) || targets.includes(sources[i])) ? g : null));
  }

  /**
   * The gradient of `target` (a tensor, or an array of tensors whose gradients are summed) with
   * respect to `sources` (a tensor or variable, or arrays/objects of them), in the sources'
   * structure: null for a source the target does not depend on (unless `unconnectedGradients:
   * "zero"`). A non-scalar target is differentiated as the sum of its elements unless
   * `outputGradients` says otherwise.
   *
   * @example
   * const [dw, db] = tape.gradient(loss, [w, b]);
   */
  gradient<S extends Nested<Tensor>>(target: Tensor | readonly Tensor[], sources: S, opts: TapeGradientOptions = {}): GradientOf<S> {
    this.checkUsable("gradient");
    const targets = isTensor(target) ? [target] : flattenNested("GradientTape.gradient (target)", target);
    const srcs = flattenNested("GradientTape.gradient (sources)", sources);
    const unconnected = opts.unconnectedGradients ?? "none";
    if (unconnected !== "none" && unconnected !== "zero") {
      throw new ValueError(`GradientTape.gradient: unconnectedGradients must be "none" or "zero", got ${String(unconnected)}`);
    }
    const seeds = this.seeds(targets, opts.outputGradients);
    if (!this.persistent) this.used = true;
    const grads = this.run(targets, seeds, srcs).map((g, i) => (g === null && unconnected === "zero" ? zerosLike(srcs[i]) : g));
    return packNested(sources, grads) as unknown as GradientOf<S>;
  }

  private seeds(targets: readonly Tensor[], given: TapeGradientOptions["outputGradients"]): Tensor[] {
    const list = given === undefined || given === null ? [] : isTensor(given) ? [given] : given;
    if (list.length > 0 && list.length !== targets.length) {
      throw new ValueError(`GradientTape.gradient: ${targets.length} targets but ${list.length} output gradients`);
    }
    return targets.map((t, i) => {
      const g = list[i];
      if (g === undefined || g === null) return onesLike(t);
      if (!shapesEqual(g.shape, t.shape)) {
        throw new ValueError(`GradientTape.gradient: output gradient ${i} has shape ${fmtShape(g.shape)} but target ${i} has shape ${fmtShape(t.shape)}`);
      }
      return g;
    });
  }

  /**
   * The Jacobian of `target` with respect to `sources` (same structure as `sources`): for each
   * source, a tensor of shape `[...target.shape, ...source.shape]`.
   * @example tape.jacobian(y, x) // y [3], x [2] -> [3, 2]
   */
  jacobian<S extends Nested<Tensor>>(target: Tensor, sources: S, opts: Pick<TapeGradientOptions, "unconnectedGradients"> = {}): GradientOf<S> {
    this.checkUsable("jacobian");
    if (!this.persistent) this.used = true;
    const srcs = flattenNested("GradientTape.jacobian (sources)", sources);
    const n = numel(target.shape);
    const rows: (Tensor | null)[][] = srcs.map(() => []);
    const basis = unitRows(target, n);
    for (let i = 0; i < n; i++) {
      const seed = reshape(select(basis, 0, i), target.shape);
      this.run([target], [seed], srcs).forEach((g, k) => rows[k].push(g));
    }
    const out = srcs.map((s, k) => assemble(rows[k], [...target.shape], s, opts.unconnectedGradients ?? "none"));
    return packNested(sources, out) as unknown as GradientOf<S>;
  }

  /**
   * The Jacobian of each batch entry of `target` [B, ...] with respect to the same entry of
   * `source` [B, ...], assuming entries do not interact: shape `[B, ...target[0].shape, ...source[0].shape]`.
   * @example tape.batchJacobian(y, x) // y [4, 3], x [4, 2] -> [4, 3, 2]
   */
  batchJacobian(target: Tensor, source: Tensor, opts: Pick<TapeGradientOptions, "unconnectedGradients"> = {}): Tensor | null {
    this.checkUsable("batchJacobian");
    if (target.ndim < 1 || source.ndim < 1 || target.shape[0] !== source.shape[0]) {
      throw new ValueError(`GradientTape.batchJacobian: target and source need the same first (batch) dimension, got target ${fmtShape(target.shape)} and source ${fmtShape(source.shape)}`);
    }
    if (!this.persistent) this.used = true;
    const b = target.shape[0];
    const m = numel(target.shape.slice(1));
    const rows: (Tensor | null)[] = [];
    const basis = unitRows(target, m);
    for (let j = 0; j < m; j++) {
      // One-hot at entry j of every batch row: the batch entries are independent, so one pass per j.
      const seed = reshape(expand(reshape(select(basis, 0, j), [1, m]), [b, m]), target.shape);
      rows.push(this.run([target], [seed], [source])[0]);
    }
    if (rows.every((r) => r === null)) {
      return (opts.unconnectedGradients ?? "none") === "zero" ? full([b, ...target.shape.slice(1), ...source.shape.slice(1)], 0, { dtype: source.dtype }) : null;
    }
    const filled = rows.map((r) => r ?? zerosLike(source));
    // [B, m, ...source rest] -> [B, ...target rest, ...source rest]
    return reshape(stack(filled, 1), [b, ...target.shape.slice(1), ...source.shape.slice(1)]);
  }
}

/** The n×n identity in `target`'s float dtype (float32 for others): row i seeds output element i. */
function unitRows(target: Tensor, n: number): Tensor {
  return eye(n, n, { dtype: isFloating(target.dtype) ? target.dtype : "float32" });
}

function assemble(rows: (Tensor | null)[], targetShape: number[], source: Tensor, unconnected: "none" | "zero"): Tensor | null {
  const shape = [...targetShape, ...source.shape];
  if (rows.length === 0) return full(shape, 0, { dtype: source.dtype });
  if (rows.every((r) => r === null)) return unconnected === "zero" ? full(shape, 0, { dtype: source.dtype }) : null;
  return reshape(stack(rows.map((r) => r ?? zerosLike(source)), 0), shape);
}
