import type { Tensor } from "../tensor/tensor.js";

/** What the engine needs of an op's rule: its VJP and which tensors that VJP reads. */
export interface VjpRule {
  vjp(g: Tensor, inputs: readonly Tensor[], out: Tensor, attrs: any, needs: readonly boolean[]): (Tensor | null)[];
  saves?: readonly (number | "out")[];
}

/** Something that records nodes while it is active (a GradientTape). */
export interface Recorder {
  record(n: Node): void;
}

let nextSeq = 0;
/**
 * The all-null `inputFns` of nodes of 0–3 inputs (read-only, shared). Not frozen: element loads
 * from a frozen array leave V8's fast path (about 6 ns each alone, 18 ns at a site that also sees
 * plain arrays), and the engine reads every node's `inputFns` twice per backward pass.
 */
const NO_FNS: readonly (readonly null[])[] = [0, 1, 2, 3].map((n) => new Array<null>(n).fill(null));
const recorders: Recorder[] = [];

/** Starts sending new nodes to `r` (until popRecorder). */
export function pushRecorder(r: Recorder): void {
  recorders.push(r);
}

/** Stops sending new nodes to `r` (its latest push). */
export function popRecorder(r: Recorder): void {
  const i = recorders.lastIndexOf(r);
  if (i >= 0) recorders.splice(i, 1);
}

function pascal(name: string): string {
  return name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * One recorded op application: the output it made, its inputs and attributes, and the versions of
 * the tensors its VJP will read (to catch in-place changes, as PyTorch does).
 */
export class Node {
  // Fields are `declare`d and set in the constructor only (as Tensor's): emitted as class fields
  // they would each be defined as undefined first, on every node of every recorded op.
  declare readonly name: string;
  declare readonly rule: VjpRule;
  declare readonly inputs: readonly Tensor[];
  declare readonly attrs: unknown;
  declare out: Tensor;
  /** Creation order: sorting by it descending is a topological order of the graph. */
  declare readonly seq: number;
  declare freed: boolean;
  declare savedVersions: number[] | null;
  /**
   * The nodes that made the inputs, captured now: an in-place op later re-points an input's
   * `gradFn` to its own node, but this node's gradient must still flow to the old one (PyTorch's edges).
   */
  declare readonly inputFns: readonly (Node | null)[];
  /**
   * Scratch of the engine: the run that last collected this node and its position in that run's
   * order, so a backward pass finds a node's slot without a Map (see runEngine).
   */
  declare _run: number;
  declare _idx: number;

  constructor(name: string, rule: VjpRule, inputs: readonly Tensor[], attrs: unknown, out: Tensor) {
    this.name = name;
    this.rule = rule;
    this.inputs = inputs;
    this.attrs = attrs;
    this.out = out;
    this.seq = nextSeq++;
    this.freed = false;
    this._run = 0;
    this._idx = -1;
    let made = false;
    for (let i = 0; i < inputs.length; i++) if (inputs[i].gradFn !== null) made = true;
    if (made || inputs.length >= NO_FNS.length) {
      const fns = new Array<Node | null>(inputs.length);
      for (let i = 0; i < inputs.length; i++) fns[i] = inputs[i].gradFn;
      this.inputFns = fns;
    } else {
      // Inputs that are all leaves or constants (an op on parameters) share one all-null list.
      this.inputFns = NO_FNS[inputs.length];
    }
    const saves = rule.saves;
    if (saves !== undefined && saves.length > 0) {
      const v = new Array<number>(saves.length);
      for (let i = 0; i < saves.length; i++) {
        const s = saves[i];
        v[i] = s === "out" ? out.version : inputs[s].version;
      }
      this.savedVersions = v;
    } else this.savedVersions = null;
    for (let i = 0; i < recorders.length; i++) recorders[i].record(this);
  }

  /** PyTorch-style name of the backward function, e.g. `MulBackward0`. */
  get displayName(): string {
    return `${pascal(this.name)}Backward0`;
  }
}
