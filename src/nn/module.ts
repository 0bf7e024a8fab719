import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { isFloating } from "../tensor/dtype.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { DTypeError, ValueError } from "../tensor/errors.js";
import { isGradEnabled, noGrad, setGradEnabled } from "../autograd/grad_mode.js";
import { cast } from "../ops/unary.js";
import { CallableObject } from "./callable.js";
import { Parameter, setData } from "./parameter.js";

/** A module's state: dotted names (`linear.weight`) to tensors, in registration order. */
export type StateDict = Record<string, Tensor>;

/** What {@link Module.loadStateDict} reports (PyTorch's `_IncompatibleKeys`). */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Returned by hook registration; `remove()` unregisters the hook. */
export interface RemovableHandle {
  remove(): void;
}

/** Called before `forward` with the arguments; a returned value (an array or one argument) replaces them. */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown[] | unknown | void;
/** Called after `forward` with the arguments and the output; a returned value replaces the output. */
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown | void;

// Bookkeeping kept off the enumerable fields, so that a module's own keys are exactly what the
// user assigned (the fields that registration walks).
interface Internals {
  buffers: Set<string>;
  nonPersistent: Set<string>;
  preHooks: Map<number, ForwardPreHook>;
  hooks: Map<number, ForwardHook>;
}
const INTERNALS = Symbol("moduleInternals");
let nextHookId = 0;

/** Adds `hook` under a fresh id (hooks run in registration order) and returns its handle. */
function addHook<H>(hooks: Map<number, H>, hook: H): RemovableHandle {
  const id = nextHookId++;
  hooks.set(id, hook);
  return { remove: () => void hooks.delete(id) };
}

/** Indents every line but the first (PyTorch's repr nests children this way). */
function addIndent(s: string, spaces: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  return [lines[0], ...lines.slice(1).map((l) => " ".repeat(spaces) + l)].join("\n");
}

/**
 * Base class of neural-network modules (PyTorch's `nn.Module`). Subclasses declare parameters and
 * submodules as fields (or assign them in the constructor) and implement `forward`; instances are
 * callable (`model(x)` runs `forward`). Fields holding a {@link Parameter} or a Module are
 * registered in the order they were first assigned, which is declaration order for class fields.
 *
 * @example
 * class LinearRegression extends Module {
 *   linear = new Linear(1, 1);
 *   forward(x: Tensor) { return this.linear(x); }
 * }
 * const model = new LinearRegression();
 * model.namedParameters().map(([n]) => n); // ["linear.weight", "linear.bias"]
 */
export class Module extends CallableObject {
  /** Training mode (`train()`) or evaluation mode (`eval()`); Dropout and BatchNorm read it. */
  training = true;
  declare private [INTERNALS]: Internals;

  constructor() {
    super();
    Object.defineProperty(this, INTERNALS, {
      value: { buffers: new Set(), nonPersistent: new Set(), preHooks: new Map(), hooks: new Map() } satisfies Internals,
      enumerable: false,
    });
  }

  // Subclasses define `forward(...)`. It is not declared here, so that a subclass's `forward` needs
  // no `override` keyword (the article's programs are written without one).

  protected override _call(...args: unknown[]): unknown {
    const forward = (this as unknown as { forward?: (...a: unknown[]) => unknown }).forward;
    if (typeof forward !== "function") {
      throw new ValueError(`Module [${this._getName()}] is missing the required "forward" function`);
    }
    const { preHooks, hooks } = this[INTERNALS];
    // (Sizes checked first: iterating an empty Map still makes an iterator per call.)
    if (preHooks.size > 0) {
      for (const h of preHooks.values()) {
        const r = h(this, args);
        if (r !== undefined) args = Array.isArray(r) ? r : [r];
      }
    }
    let out = forward.apply(this, args);
    if (hooks.size > 0) {
      for (const h of hooks.values()) {
        const r = h(this, args, out);
        if (r !== undefined) out = r;
      }
    }
    return out;
  }

  /**
   * The module's own members, name and value, in registration order. Containers (Sequential,
   * ModuleList, …) override this to list their numbered items.
   */
  protected _members(): [string, unknown][] {
    return Object.keys(this).map((k) => [k, (this as unknown as Record<string, unknown>)[k]]);
  }

  /** The class name shown by `toString()`. */
  protected _getName(): string {
    return this.constructor.name;
  }

  // ---- registration ------------------------------------------------------------------------------

  /** Own parameters (not recursing), skipping unset ones. */
  private ownParameters(): [string, Parameter][] {
    return this._members().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  private ownBuffers(persistentOnly: boolean): [string, Tensor][] {
    const { buffers, nonPersistent } = this[INTERNALS];
    return this._members().filter(
      (e): e is [string, Tensor] => buffers.has(e[0]) && e[1] instanceof Tensor && !(e[1] instanceof Parameter) && !(persistentOnly && nonPersistent.has(e[0])),
    );
  }

  private checkName(kind: string, name: string): void {
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw new ValueError(`${this._getName()}: ${kind} name must be a non-empty string without "." (got ${JSON.stringify(name)})`);
    }
  }

  /**
   * Registers a tensor that is part of the module's state but not a parameter (BatchNorm's running
   * statistics). Persistent buffers appear in `stateDict()`.
   * @example this.registerBuffer("runningMean", zeros([n]));
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    this.checkName("buffer", name);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new ValueError(`${this._getName()}.registerBuffer: cannot assign a ${typeof tensor} as buffer "${name}" (a Tensor or null expected)`);
    }
    const { buffers, nonPersistent } = this[INTERNALS];
    (this as unknown as Record<string, unknown>)[name] = tensor;
    buffers.add(name);
    if (persistent) nonPersistent.delete(name);
    else nonPersistent.add(name);
  }

  /** Registers a parameter under `name` (what assigning a Parameter to a field does). */
  registerParameter(name: string, param: Parameter | null): void {
    this.checkName("parameter", name);
    if (param !== null && !(param instanceof Parameter)) {
      throw new ValueError(`${this._getName()}.registerParameter: cannot assign a non-Parameter as parameter "${name}" (wrap it: new nn.Parameter(t))`);
    }
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /** Registers a submodule under `name` (what assigning a Module to a field does). */
  registerModule(name: string, module: Module | null): void {
    this.checkName("module", name);
    if (module !== null && !(module instanceof Module)) {
      throw new ValueError(`${this._getName()}.registerModule: ${String(module)} is not a Module subclass`);
    }
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  /** Alias of {@link registerModule} (PyTorch's `add_module`). */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  // ---- traversal ---------------------------------------------------------------------------------

  /** Direct submodules with their field names. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [n, v] of this._members()) {
      if (v instanceof Module && v !== this && !seen.has(v)) {
        seen.add(v);
        out.push([n, v]);
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every submodule, pre-order, with dotted names ("" for this one); a module
   * reachable twice is listed once.
   */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const stack: [string, Module][] = [[prefix, this]];
    while (stack.length) {
      const [name, m] = stack.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
      const kids = m.namedChildren();
      for (let i = kids.length - 1; i >= 0; i--) stack.push([name ? `${name}.${kids[i][0]}` : kids[i][0], kids[i][1]]);
    }
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters with dotted names, this module's first, then each submodule's in registration
   * order; a parameter shared by two modules is listed once.
   * @example for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   */
  namedParameters(prefix = "", recurse = true): [string, Parameter][] {
    return this.namedTensors(prefix, recurse, (m) => m.ownParameters());
  }

  /** The parameters, in the order of {@link namedParameters}: what an optimizer takes. */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters("", recurse).map(([, p]) => p);
  }

  /** Buffers with dotted names, in the order of {@link namedParameters}; a shared one is listed once. */
  namedBuffers(prefix = "", recurse = true): [string, Tensor][] {
    return this.namedTensors(prefix, recurse, (m) => m.ownBuffers(false));
  }

  /** The tensors `own` lists for this module (and, with `recurse`, each submodule), dotted and deduplicated. */
  private namedTensors<T extends Tensor>(prefix: string, recurse: boolean, own: (m: Module) => [string, T][]): [string, T][] {
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const seen = new Set<Tensor>();
    const out: [string, T][] = [];
    for (const [mp, m] of mods) {
      for (const [n, t] of own(m)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([mp ? `${mp}.${n}` : n, t]);
      }
    }
    return out;
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers("", recurse).map(([, b]) => b);
  }

  /** The submodule at a dotted path (`"encoder.layers.0"`); "" is this module. */
  getSubmodule(target: string): Module {
    if (target === "") return this;
    let m: Module = this;
    for (const part of target.split(".")) {
      const child = m.namedChildren().find(([n]) => n === part);
      if (!child) throw new ValueError(`${m._getName()} has no attribute \`${part}\` (looking up "${target}")`);
      m = child[1];
    }
    return m;
  }

  /** The parameter at a dotted path (`"linear.weight"`). */
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf(".");
    const m = this.getSubmodule(i < 0 ? "" : target.slice(0, i));
    const name = target.slice(i + 1);
    const p = m.ownParameters().find(([n]) => n === name);
    if (!p) throw new ValueError(`${m._getName()} has no parameter \`${name}\` (looking up "${target}")`);
    return p[1];
  }

  // ---- modes and gradients -----------------------------------------------------------------------

  /** Sets training mode on this module and every submodule. Returns this. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new ValueError(`train: training mode is expected to be boolean, got ${typeof mode}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears the parameters' gradients: zeroes them in place, or drops them with `setToNone`
   * (PyTorch 1.13's default is to zero them).
   */
  zeroGrad(setToNone = false): void {
    for (const p of this.parameters()) zeroGradOf(p, setToNone);
  }

  /** Sets `requiresGrad` on every parameter (freezing with `false`). Returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Calls `fn` on every submodule (children first), then on this module. Returns this. */
  override apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Converts floating-point parameters and buffers to `dtype`, in place: the Parameter objects
   * stay the same, so optimizers built before keep working. Returns this.
   */
  to(dtype: DType): this {
    if (!isFloating(dtype)) throw new DTypeError(`${this._getName()}.to: nn.Module.to only accepts floating point dtypes, but got desired dtype=${dtype}`);
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m.ownParameters()) {
          if (isFloating(p.dtype) && p.dtype !== dtype) setData(p, cast(p.detach(), dtype));
          if (p.grad !== null && isFloating(p.grad.dtype) && p.grad.dtype !== dtype) p.grad = cast(p.grad.detach(), dtype);
        }
        for (const [, b] of m.ownBuffers(false)) {
          if (isFloating(b.dtype) && b.dtype !== dtype) setData(b, cast(b.detach(), dtype));
        }
      }
    });
    return this;
  }

  float(): this {
    return this.to("float32");
  }

  double(): this {
    return this.to("float64");
  }

  // ---- state -------------------------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by dotted name: this module's parameters, then its buffers,
   * then each submodule's. The tensors share storage with the module's (detached).
   * @example const sd = model.stateDict(); sd["linear.weight"].shape; // [1, 1]
   */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = {};
    for (const [key, t] of this.stateEntries(opts.prefix ?? "")) out[key] = opts.keepVars ? t : t.detach();
    return out;
  }

  /** Every state tensor with its key; a shared tensor appears under each of its names. */
  private stateEntries(prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.ownParameters()) out.push([prefix + n, p]);
    for (const [n, b] of this.ownBuffers(true)) out.push([prefix + n, b]);
    for (const [n, c] of this.namedChildren()) out.push(...c.stateEntries(`${prefix}${n}.`));
    return out;
  }

  /**
   * Copies values from a state dict into the parameters and buffers. `strict` (the default)
   * requires the keys to match exactly; a shape mismatch is always an error. Everything is checked
   * before anything is copied, so a failed load leaves the module unchanged.
   */
  loadStateDict(stateDict: StateDict, strict = true): IncompatibleKeys {
    const entries = this.stateEntries("");
    const expected = new Set(entries.map(([k]) => k));
    const given = Object.keys(stateDict);
    const has = (k: string) => Object.prototype.hasOwnProperty.call(stateDict, k);
    const missingKeys = entries.map(([k]) => k).filter((k) => !has(k));
    const unexpectedKeys = given.filter((k) => !expected.has(k));
    const errors: string[] = [];
    if (strict) {
      if (unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
      if (missingKeys.length) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
    }
    for (const [k, t] of entries) {
      if (!has(k)) continue;
      const v = stateDict[k];
      if (!(v instanceof Tensor)) {
        errors.push(`While copying the parameter named "${k}", expected a Tensor from the checkpoint but got ${typeof v}.`);
      } else if (!shapesEqual(v.shape, t.shape)) {
        errors.push(`size mismatch for ${k}: copying a param with shape ${fmtShape(v.shape)} from checkpoint, the shape in current model is ${fmtShape(t.shape)}.`);
      } else if (v.dtype === "bool" && t.dtype !== "bool") {
        errors.push(`dtype mismatch for ${k}: cannot copy a bool tensor into a ${t.dtype} one.`);
      }
    }
    if (errors.length) {
      throw new ValueError(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errors.join("\n\t")}`);
    }
    noGrad(() => {
      for (const [k, t] of entries) if (has(k)) t.copy_(stateDict[k]);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- hooks -------------------------------------------------------------------------------------

  /** Runs `hook(module, args)` before each forward; a returned value replaces the arguments. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return addHook(this[INTERNALS].preHooks, hook);
  }

  /** Runs `hook(module, args, output)` after each forward; a returned value replaces the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return addHook(this[INTERNALS].hooks, hook);
  }

  // ---- printing ----------------------------------------------------------------------------------

  /** Extra text inside this module's parentheses (`in_features=1, out_features=1, bias=True`). */
  extraRepr(): string {
    return "";
  }

  /**
   * The module tree as PyTorch prints it:
   * `LinearRegression(\n  (linear): Linear(in_features=1, out_features=1, bias=True)\n)`.
   */
  override toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = this.namedChildren().map(([n, m]) => `(${n}): ${addIndent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this._getName()}(`;
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) s += extraLines[0];
      else s += "\n  " + lines.join("\n  ") + "\n";
    }
    return s + ")";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Clears one tensor's gradient as `zero_grad` does: drop it, or detach and zero it in place. */
export function zeroGradOf(p: Tensor, setToNone: boolean): void {
  if (p.grad === null) return;
  if (setToNone) {
    p.grad = null;
    return;
  }
  if (p.grad.gradFn !== null) p.grad = p.grad.detach();
  else p.grad.requiresGrad = false;
  // (The mode switched here rather than by noGrad: no closure per parameter and step.)
  const prev = isGradEnabled();
  setGradEnabled(false);
  try {
    p.grad.zero_();
  } finally {
    setGradEnabled(prev);
  }
}
