// torch.optim.Optimizer: parameter groups with per-group options, per-parameter state, zeroGrad,
// step, and state dicts. The update rules are the shared core's (src/optim); each optimizer class
// only maps a group's options onto its rule's hyperparameters.
import { Tensor } from "../../tensor/tensor.js";
import { isFloating } from "../../tensor/dtype.js";
import { fmtShape, shapesEqual } from "../../tensor/shape.js";
import { ValueError } from "../../tensor/errors.js";
import { enableGrad } from "../../autograd/grad_mode.js";
import { cast } from "../../ops/unary.js";
import { Module, zeroGradOf } from "../../nn/module.js";
import type { ParamState } from "../../optim/common.js";
import { pyFloat } from "../nn/repr.js";

/** A parameter group as given: its tensors plus any options that override the defaults. */
export interface ParamGroupSpec {
  params: Iterable<Tensor> | Tensor;
  [option: string]: unknown;
}

/** A parameter group as the optimizer holds it: every option filled in. */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: any;
}

/** What `params` may be: tensors (one group) or group specs. */
export type ParamsArg = Iterable<Tensor> | Iterable<ParamGroupSpec>;

/** An optimizer's state dict: per-parameter state by index and the groups with indices for params. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Omit<ParamGroup, "params"> & { params: number[] })[];
}

const describe = (v: unknown): string =>
  v === null ? "null" : v instanceof Module ? `a Module (${v.constructor.name})` : typeof v === "object" || typeof v === "function" ? (v as object).constructor?.name ?? typeof v : typeof v;

/** `defaults` overridden by the options that are set (an explicit `undefined` keeps the default). */
export function withDefaults(defaults: Record<string, unknown>, opts: object): Record<string, unknown> {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) out[k] = v;
  return out;
}

function cloneValue(v: Tensor | number): Tensor | number {
  return v instanceof Tensor ? v.detach().clone() : v;
}

/**
 * Base class of the torch optimizers. Subclasses give their defaults and apply their rule to one
 * parameter (`update`); the base keeps groups, state and the bookkeeping PyTorch's has.
 */
export abstract class Optimizer {
  /** The options every group starts from. */
  readonly defaults: Readonly<Record<string, unknown>>;
  paramGroups: ParamGroup[] = [];
  /** Per-parameter state (momentum buffers, moment estimates, step counts). */
  state: Map<Tensor, ParamState> = new Map();
  /** Number of `step()` calls; schedulers read it to warn about a wrong call order. */
  _stepCount = 0;

  constructor(params: ParamsArg, defaults: Record<string, unknown>) {
    this.defaults = { ...defaults };
    const name = this.constructor.name;
    if (params instanceof Tensor) {
      throw new ValueError(`${name}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor (shape ${fmtShape(params.shape)}); wrap it in an array`);
    }
    if (params instanceof Module) {
      throw new ValueError(`${name}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)}; pass model.parameters()`);
    }
    if (params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
      throw new ValueError(`${name}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)}`);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ValueError(`${name}: optimizer got an empty parameter list`);
    const isGroup = (v: unknown) => v !== null && typeof v === "object" && !(v instanceof Tensor) && "params" in (v as object);
    const groups: ParamGroupSpec[] = isGroup(list[0]) ? (list as ParamGroupSpec[]) : [{ params: list as Tensor[] }];
    for (const g of groups) this.addParamGroup(g);
  }

  /**
   * Checks the hyperparameters of a group (throws on a bad value); may return them in the form
   * its rule takes, which `step` then hands to `update` for each of the group's parameters.
   */
  protected abstract validateGroup(group: ParamGroup): unknown;

  /** Applies the update rule to one parameter with a gradient; `hyper` is what validateGroup returned. */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup, hyper: unknown): void;

  /**
   * Adds a group of parameters with its own options (e.g. a smaller `lr` for a pretrained part).
   * @example opt.addParamGroup({ params: model.head.parameters(), lr: 1e-2 })
   */
  addParamGroup(spec: ParamGroupSpec): void {
    const name = this.constructor.name;
    if (spec === null || typeof spec !== "object" || !("params" in spec)) throw new ValueError(`${name}: a param group must be an object with a "params" key`);
    const raw = spec.params;
    if (raw instanceof Module) throw new ValueError(`${name}: a param group's params must be tensors, got ${describe(raw)}; pass model.parameters()`);
    const params: unknown[] = raw instanceof Tensor ? [raw] : raw !== null && typeof raw === "object" && Symbol.iterator in raw ? [...(raw as Iterable<unknown>)] : [raw];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new ValueError(`${name}: optimizer can only optimize Tensors (Parameters), but one of the params is ${describe(p)}`);
      if (!isFloating(p.dtype)) throw new ValueError(`${name}: can only optimize floating point Tensors, but one of the params is ${p.dtype} (shape ${fmtShape(p.shape)})`);
      if (p.gradFn !== null) throw new ValueError(`${name}: can't optimize a non-leaf Tensor (shape ${fmtShape(p.shape)}); optimize the leaf it was computed from`);
    }
    if (params.length === 0) throw new ValueError(`${name}: optimizer got an empty parameter list`);
    if (new Set(params).size !== params.length) throw new ValueError(`${name}: a parameter group contains duplicate parameters`);
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => existing.has(p as Tensor))) throw new ValueError(`${name}: some parameters appear in more than one parameter group`);
    const group = { ...withDefaults(this.defaults, spec), params: params as Tensor[] } as ParamGroup;
    this.validateGroup(group);
    this.paramGroups.push(group);
  }

  /**
   * Clears the gradients of every parameter: zeroes them (PyTorch 1.13's default) or, with
   * `setToNone`, drops them.
   * @example opt.zeroGrad(); loss.backward(); opt.step();
   */
  zeroGrad(opts: boolean | { setToNone?: boolean } = {}): void {
    const setToNone = typeof opts === "boolean" ? opts : (opts.setToNone ?? false);
    const groups = this.paramGroups;
    for (let i = 0; i < groups.length; i++) {
      const params = groups[i].params;
      for (let j = 0; j < params.length; j++) zeroGradOf(params[j], setToNone);
    }
  }

  /**
   * One update of every parameter that has a gradient. A `closure` (which recomputes the loss,
   * calling backward) runs first with gradients enabled; its result is returned.
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    let loss: Tensor | number | undefined;
    if (closure) loss = enableGrad(closure);
    const groups = this.paramGroups;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      // Validated once per group and step (a group's options may change between steps).
      const hyper = this.validateGroup(g);
      const params = g.params;
      for (let j = 0; j < params.length; j++) {
        const p = params[j];
        if (p.grad === null) continue;
        let st = this.state.get(p);
        if (st === undefined) {
          st = {};
          this.state.set(p, st);
        }
        this.update(p, p.grad, st, g, hyper);
      }
    }
    this._stepCount++;
    return loss;
  }

  /**
   * A snapshot of the optimizer: per-parameter state keyed by the parameter's position across the
   * groups, and the groups' options with those positions in place of the tensors.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const ids = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return { ...g, params: ids };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(st).map(([k, v]) => [k, cloneValue(v)]));
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict made by {@link stateDict} of an optimizer with the same group sizes.
   * State tensors are copied and converted to their parameter's dtype. Checked before anything
   * changes: a bad state dict leaves the optimizer as it was.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== "object") throw new ValueError(`${name}.loadStateDict: expected { state, paramGroups }`);
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(`${name}.loadStateDict: loaded state dict has a different number of parameter groups (${sd.paramGroups.length} vs ${this.paramGroups.length})`);
    }
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((g, gi) => {
      const mine = this.paramGroups[gi].params;
      if (!Array.isArray(g.params) || g.params.length !== mine.length) {
        throw new ValueError(`${name}.loadStateDict: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${gi}: ${g.params?.length} vs ${mine.length} parameters)`);
      }
      g.params.forEach((id, k) => byIndex.set(id, mine[k]));
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, st] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new ValueError(`${name}.loadStateDict: state for parameter ${key}, which is in no group`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(st)) {
        if (v instanceof Tensor) {
          if (!shapesEqual(v.shape, p.shape)) {
            throw new ValueError(`${name}.loadStateDict: state "${k}" of parameter ${key} has shape ${fmtShape(v.shape)}, but the parameter has shape ${fmtShape(p.shape)}`);
          }
          copy[k] = isFloating(v.dtype) ? cast(v.detach(), p.dtype).clone() : v.detach().clone();
        } else copy[k] = v;
      }
      newState.set(p, copy);
    }
    const newGroups = sd.paramGroups.map((g, gi) => ({ ...g, params: this.paramGroups[gi].params }) as ParamGroup);
    newGroups.forEach((g) => this.validateGroup(g));
    this.state = newState;
    this.paramGroups = newGroups;
  }

  /** The groups' options, as PyTorch prints an optimizer. */
  toString(): string {
    const lines = [`${this.constructor.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const k of Object.keys(g).filter((k) => k !== "params").sort()) lines.push(`    ${k}: ${fmtOption(g[k])}`);
    });
    lines.push(")");
    return lines.join("\n");
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function fmtOption(v: unknown): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return `(${v.map(fmtOption).join(", ")})`;
  if (v === null || v === undefined) return "None";
  if (typeof v === "number" && !Number.isInteger(v)) return pyFloat(v);
  return String(v);
}
