import { Tensor } from "../tensor/tensor.js";
import { AutogradError } from "../tensor/errors.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { isGradEnabled, setGradEnabled } from "./grad_mode.js";
import type { Node } from "./node.js";
import { add, cast, onesLike, zerosLike } from "../ops/api.js";
import { isFloating } from "../tensor/dtype.js";

/** How {@link runEngine} runs: what it records, keeps, returns and walks. */
export interface EngineOptions {
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph: boolean;
  /** Keep the graph for another backward pass. */
  retainGraph: boolean;
  /** grad(): tensors whose gradients are returned. null: accumulate into leaves' `.grad`. */
  targets: readonly Tensor[] | null;
  /** A tape's restriction: only nodes it recorded carry gradients. */
  filter: ((n: Node) => boolean) | null;
}

/** Numbers the engine's runs, so nodes can carry per-run marks (Node._run/_idx) instead of Sets and Maps. */
let runCounter = 0;

/**
 * A node's slot in run `run`'s order, or -1 if it is not in the graph. The marks are only
 * overwritten by a nested run over shared nodes; the search keeps that case correct.
 */
function slotOf(p: Node | null, run: number, nodes: readonly Node[]): number {
  return p === null ? -1 : p._run === run ? p._idx : nodes.indexOf(p);
}

/**
 * The one engine: reverse topological order (by node creation), no recursion, gradients summed
 * on fan-out. Returns the targets' gradients (null where unreachable) when `targets` is given.
 *
 * Backward passes of small graphs run at every training step, so the bookkeeping avoids per-run
 * Sets, Maps and closures for nodes: each collected node is marked with this run's number and
 * its slot in `nodes`, and pending gradients live in an array by slot.
 */
export function runEngine(roots: readonly Tensor[], rootGrads: readonly Tensor[], opts: EngineOptions): (Tensor | null)[] {
  const filter = opts.filter;
  const targets = opts.targets;
  const run = ++runCounter;

  // Reachable nodes, by an explicit stack (deep graphs must not overflow the call stack).
  const nodes: Node[] = [];
  const stack: Node[] = [];
  for (let i = 0; i < roots.length; i++) {
    const f = roots[i].gradFn;
    if (f !== null && f._run !== run && (filter === null || filter(f))) {
      f._run = run;
      stack.push(f);
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    nodes.push(n);
    const fns = n.inputFns;
    for (let i = 0; i < fns.length; i++) {
      const p = fns[i];
      if (p !== null && p._run !== run && (filter === null || filter(p))) {
        p._run = run;
        stack.push(p);
      }
    }
  }
  // A chain (the usual training graph) comes out of the walk already in order: skip the sort then.
  let sorted = true;
  for (let i = 1; i < nodes.length && sorted; i++) sorted = nodes[i - 1].seq > nodes[i].seq;
  if (!sorted) nodes.sort(bySeqDescending);
  for (let i = 0; i < nodes.length; i++) nodes[i]._idx = i;

  // With targets, only nodes on a path to a target need their VJP run.
  let needed: boolean[] | null = null;
  const targetSet = targets ? new Set(targets) : null;
  if (targetSet) {
    needed = new Array<boolean>(nodes.length).fill(false);
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i];
      for (let k = 0; k < n.inputs.length; k++) {
        const j = slotOf(n.inputFns[k], run, nodes);
        if (targetSet.has(n.inputs[k]) || (j >= 0 && needed[j])) {
          needed[i] = true;
          break;
        }
      }
    }
  }

  // Holes read as undefined: no fill (`new Array(n).fill()` measured slower than the rest of a
  // one-node backward pass) and no backing store grown by push to 16 slots.
  const nodeGrads = new Array<Tensor | undefined>(nodes.length);
  const leafGrads = new LeafGrads();
  const freeSaved = !opts.retainGraph;
  const prevMode = isGradEnabled();
  setGradEnabled(opts.createGraph);
  try {
    // A gradient goes to the pending one of the node that made its tensor (slot j), or to the
    // tensor's own when that node is outside this run (a leaf, or a node the filter leaves out).
    for (let i = 0; i < roots.length; i++) {
      const j = slotOf(roots[i].gradFn, run, nodes);
      if (j >= 0) nodeGrads[j] = nodeGrads[j] === undefined ? rootGrads[i] : add(nodeGrads[j]!, rootGrads[i]);
      else leafGrads.add(roots[i], rootGrads[i]);
    }
    for (let ni = 0; ni < nodes.length; ni++) {
      const n = nodes[ni];
      const g = nodeGrads[ni];
      if (g === undefined) continue;
      const out = n.out;
      if (out._retainsGrad && out.gradFn === n) {
        out.grad = out.grad === null ? g.detach() : add(out.grad, g).detach();
      }
      if (needed !== null && !needed[ni]) continue;
      const inputs = n.inputs;
      const needs = needsOf(n, targetSet, needed, run, nodes);
      if (needs === null) continue;
      checkSaved(n);
      const rule = n.rule;
      const grads = rule.vjp(g, inputs, out, n.attrs, needs);
      if (freeSaved && n.savedVersions !== null) n.freed = true;
      for (let i = 0; i < inputs.length; i++) {
        let gi = grads[i];
        if (!needs[i] || gi === null || gi === undefined) continue;
        const x = inputs[i];
        if (gi.shape !== x.shape && !shapesEqual(gi.shape, x.shape)) {
          throw new AutogradError(`${n.name} backward: gradient of shape ${fmtShape(gi.shape)} for input ${i} of shape ${fmtShape(x.shape)} (internal error)`);
        }
        // An input promoted by the op (float32 + float64) gets its gradient in its own dtype, as PyTorch's engine casts it.
        if (gi.dtype !== x.dtype && isFloating(x.dtype)) gi = cast(gi, x.dtype);
        const j = slotOf(n.inputFns[i], run, nodes);
        if (j >= 0) nodeGrads[j] = nodeGrads[j] === undefined ? gi : add(nodeGrads[j]!, gi);
        else leafGrads.add(x, gi);
      }
    }
  } finally {
    setGradEnabled(prevMode);
  }

  if (targets) {
    const res = new Array<Tensor | null>(targets.length);
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      const f = t.gradFn;
      if (f === null || !(filter === null || filter(f))) res[i] = leafGrads.get(t);
      else {
        const j = slotOf(f, run, nodes);
        res[i] = (j >= 0 ? nodeGrads[j] : undefined) ?? null;
      }
    }
    return res;
  }
  // backward(): accumulate into the leaves' .grad, in place when not building a graph (as PyTorch's AccumulateGrad).
  for (let i = 0; i < leafGrads.keys.length; i++) {
    const leaf = leafGrads.keys[i];
    const g = leafGrads.grads[i];
    if (!leaf.requiresGrad || leaf.gradFn !== null) continue;
    if (leaf.grad === null) leaf.grad = opts.createGraph ? g : g.detach().clone();
    else if (opts.createGraph) leaf.grad = add(leaf.grad, g);
    else leaf.grad.add_(g.requiresGrad ? g.detach() : g);
  }
  return NONE;
}

/** `needs` of a node whose inputs all need their gradient, by input count (read-only, shared). */
const ALL_NEEDED: readonly (readonly boolean[])[] = [0, 1, 2, 3].map((n) => new Array<boolean>(n).fill(true));

/**
 * Which inputs of `n` get a gradient in this run (their VJP may skip the others), or null for
 * none. Without targets an input needs one if it requires grad; the common case, all of them,
 * shares one array instead of allocating one per node.
 */
function needsOf(n: Node, targetSet: Set<Tensor> | null, needed: boolean[] | null, run: number, nodes: readonly Node[]): readonly boolean[] | null {
  const inputs = n.inputs;
  let count = 0;
  if (targetSet === null) {
    for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) count++;
    if (count === inputs.length && count > 0 && count < ALL_NEEDED.length) return ALL_NEEDED[count];
  }
  const needs = new Array<boolean>(inputs.length);
  let any = false;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    let need: boolean;
    if (targetSet === null) need = x.requiresGrad;
    else if (targetSet.has(x)) need = true;
    else {
      // Not a target itself: needed only on a path to one.
      const j = slotOf(n.inputFns[i], run, nodes);
      need = x.requiresGrad && j >= 0 && needed![j];
    }
    needs[i] = need;
    any ||= need;
  }
  return any ? needs : null;
}

/** What a backward() run returns (nothing; shared, never written). */
const NONE: (Tensor | null)[] = Object.freeze([]) as unknown as (Tensor | null)[];

const bySeqDescending = (a: Node, b: Node): number => b.seq - a.seq;

/**
 * Gradients of the tensors outside a run (leaves, or nodes a tape's filter leaves out), summed
 * per tensor, in arrival order. A few arrays searched linearly while small (a training step has
 * a handful of parameters; a Map cost more than the rest of a one-node pass), indexed by a Map
 * once there are many.
 */
class LeafGrads {
  // Set in the constructor, not as class fields (see Node): one of these is made per backward pass.
  declare readonly keys: Tensor[];
  declare readonly grads: Tensor[];
  declare private index: Map<Tensor, number> | null;

  constructor() {
    this.keys = [];
    this.grads = [];
    this.index = null;
  }

  private find(t: Tensor): number {
    if (this.index !== null) return this.index.get(t) ?? -1;
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === t) return i;
    return -1;
  }

  get(t: Tensor): Tensor | null {
    const i = this.find(t);
    return i >= 0 ? this.grads[i] : null;
  }

  add(t: Tensor, g: Tensor): void {
    const i = this.find(t);
    if (i >= 0) {
      this.grads[i] = add(this.grads[i], g);
      return;
    }
    this.keys.push(t);
    this.grads.push(g);
    if (this.index !== null) this.index.set(t, this.keys.length - 1);
    else if (this.keys.length > 16) this.index = new Map(this.keys.map((k, j) => [k, j]));
  }
}

function checkSaved(n: Node): void {
  if (n.freed) {
    throw new AutogradError(
      `${n.name}: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ` +
        "Saved intermediate values of the graph are freed when you call backward() or grad(). Specify retainGraph: true if you need to backward a second time.",
    );
  }
  const saves = n.rule.saves;
  if (!saves || !n.savedVersions) return;
  for (let i = 0; i < saves.length; i++) {
    const s = saves[i];
    const t = s === "out" ? n.out : n.inputs[s];
    if (t.version !== n.savedVersions[i]) {
      throw new AutogradError(
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `the ${s === "out" ? "output" : `input ${s}`} of ${n.name} (tensor of shape ${fmtShape(t.shape)}, ${t.dtype}) is at version ${t.version}; expected version ${n.savedVersions[i]} instead.`,
      );
    }
  }
}

function defaultGrads(op: string, outputs: readonly Tensor[], given: readonly (Tensor | null | undefined)[] | undefined): Tensor[] {
  return outputs.map((o, i) => {
    const g = given?.[i];
    if (g) {
      if (!shapesEqual(g.shape, o.shape)) {
        throw new AutogradError(`${op}: mismatch in shape: grad_output[${i}] has a shape of ${fmtShape(g.shape)} and output[${i}] has a shape of ${fmtShape(o.shape)}`);
      }
      return g;
    }
    if (o.storage.length !== 1) {
      throw new AutogradError(`${op}: grad can be implicitly created only for scalar outputs (output ${i} has shape ${fmtShape(o.shape)}); pass a gradient of that shape`);
    }
    return onesLike(o);
  });
}

/**
 * Computes the gradient of `this` with respect to graph leaves and accumulates it into their `.grad`.
 * @example const loss = x.mul(x).sum(); loss.backward(); x.grad;
 */
export function backward(t: Tensor, gradient?: Tensor | null, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
  if (!t.requiresGrad) {
    throw new AutogradError(`backward: element 0 of tensors does not require grad and does not have a grad_fn (shape ${fmtShape(t.shape)})`);
  }
  // (The scalar loss of a training step, without defaultGrads' per-output closure and arrays.)
  const g = (gradient === undefined || gradient === null) && t.storage.length === 1 ? onesLike(t) : defaultGrads("backward", [t], [gradient])[0];
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  runEngine([t], [g], createGraph ? { createGraph, retainGraph, targets: null, filter: null } : retainGraph ? RETAIN : PLAIN);
}

// The options of a plain `backward()`, shared (runEngine only reads them).
const PLAIN: EngineOptions = Object.freeze({ createGraph: false, retainGraph: false, targets: null, filter: null });
const RETAIN: EngineOptions = Object.freeze({ createGraph: false, retainGraph: true, targets: null, filter: null });

/** Options of {@link grad}; the defaults are PyTorch's (nothing retained, no graph, unused inputs an error). */
export interface GradOptions {
  gradOutputs?: readonly (Tensor | null)[] | Tensor | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of raising. */
  allowUnused?: boolean;
  /** Return zeros instead of null for unused inputs (PyTorch's materialize_grads). */
  materializeGrads?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, leaving `.grad` alone (torch.autograd.grad).
 * @example const [dx] = grad(y, [x], { createGraph: true });
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  outs.forEach((o, i) => {
    if (!o.requiresGrad) throw new AutogradError(`grad: element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  ins.forEach((x, i) => {
    if (!x.requiresGrad) throw new AutogradError(`grad: input ${i} (shape ${fmtShape(x.shape)}) does not require grad`);
  });
  const go = opts.gradOutputs instanceof Tensor ? [opts.gradOutputs] : (opts.gradOutputs ?? undefined);
  const gs = defaultGrads("grad", outs, go);
  const createGraph = opts.createGraph ?? false;
  const res = runEngine(outs, gs, { createGraph, retainGraph: opts.retainGraph ?? createGraph, targets: ins, filter: null });
  return res.map((r, i) => {
    if (r !== null) return r;
    if (opts.materializeGrads) return zerosLike(ins[i]);
    if (!opts.allowUnused) {
      throw new AutogradError(`grad: one of the differentiated tensors (input ${i}, shape ${fmtShape(ins[i].shape)}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`);
    }
    return null;
  });
}
