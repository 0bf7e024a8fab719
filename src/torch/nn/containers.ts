// Container modules: Sequential, ModuleList, ModuleDict, ParameterList. Their items are registered
// under their keys ("0", "1", … for lists), so names and state dicts read as PyTorch's
// (`layers.0.weight`). List items can also be read as `list[i]`, as in Python.
import { Tensor } from "../../tensor/tensor.js";
import { IndexError, ValueError } from "../../tensor/errors.js";
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";

function normIndex(op: string, i: number, n: number): number {
  if (!Number.isInteger(i) || i < -n || i >= n) throw new IndexError(`${op}: index ${i} is out of range (length ${n})`);
  return i < 0 ? i + n : i;
}

function checkModule(op: string, m: unknown): Module {
  if (!(m instanceof Module)) throw new ValueError(`${op}: ${String(m)} is not a Module subclass`);
  return m;
}

/** Keeps `obj[0]`, `obj[1]`, … in step with a list of items (non-enumerable, so not fields). */
function syncIndices(obj: object, items: readonly unknown[], prevLength: number): void {
  for (let i = 0; i < Math.max(items.length, prevLength); i++) {
    if (i < items.length) Object.defineProperty(obj, String(i), { value: items[i], enumerable: false, configurable: true, writable: false });
    else delete (obj as Record<string, unknown>)[String(i)];
  }
}

/**
 * Modules applied one after another (`nn.Sequential`): from a list of modules (named "0", "1", …)
 * or from an object of named modules, in its key order.
 * @example
 * const mlp = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
 * mlp(x); mlp[0]; // the first Linear
 */
export class Sequential extends Module {
  [index: number]: Module;
  private readonly store: Map<string, Module> = new Map();

  constructor(...modules: Module[]);
  constructor(modules: Record<string, Module>);
  constructor(...args: (Module | Record<string, Module>)[]) {
    super();
    if (args.length === 1 && !(args[0] instanceof Module) && typeof args[0] === "object" && args[0] !== null) {
      for (const [k, m] of Object.entries(args[0])) this.store.set(k, checkModule("Sequential", m));
    } else {
      args.forEach((m, i) => this.store.set(String(i), checkModule("Sequential", m)));
    }
    this.sync(0);
  }

  private sync(prev: number): void {
    syncIndices(this, [...this.store.values()], prev);
  }

  protected override _members(): [string, unknown][] {
    return [...this.store.entries()];
  }

  override get length(): number {
    return this.store.size;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.store.values();
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    return [...this.store.values()][normIndex("Sequential.at", i, this.store.size)];
  }

  /** A new Sequential of modules start..end (Python's `seq[start:end]`), keeping their names. */
  slice(start?: number, end?: number): Sequential {
    const picked = Object.fromEntries([...this.store.entries()].slice(start, end));
    return new Sequential(picked);
  }

  /** Adds a module at the end, named by its position. Returns this. */
  append(m: Module): this {
    const prev = this.store.size;
    this.store.set(String(prev), checkModule("Sequential.append", m));
    this.sync(prev);
    return this;
  }

  forward(input: unknown): any {
    let x = input;
    for (const m of this.store.values()) x = m(x);
    return x;
  }
}

/**
 * A list of submodules (`nn.ModuleList`), registered as "0", "1", …; it has no forward of its own.
 * @example
 * class Net extends nn.Module {
 *   layers = new nn.ModuleList([new nn.Linear(2, 8), new nn.Linear(8, 1)]);
 *   forward(x: Tensor) { for (const l of this.layers) x = l(x); return x; }
 * }
 */
export class ModuleList extends Module {
  [index: number]: Module;
  private readonly store: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.store.push(checkModule("ModuleList", m));
    syncIndices(this, this.store, 0);
  }

  protected override _members(): [string, unknown][] {
    return this.store.map((m, i) => [String(i), m]);
  }

  override get length(): number {
    return this.store.length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.store[Symbol.iterator]();
  }

  at(i: number): Module {
    return this.store[normIndex("ModuleList.at", i, this.store.length)];
  }

  append(m: Module): this {
    return this.insert(this.store.length, m);
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts before position `i` (Python's list.insert). */
  insert(i: number, m: Module): this {
    const prev = this.store.length;
    const at = Math.max(0, Math.min(i < 0 ? i + prev : i, prev));
    this.store.splice(at, 0, checkModule("ModuleList.insert", m));
    syncIndices(this, this.store, prev);
    return this;
  }

  /** Removes and returns the module at `i` (the last by default). */
  pop(i = -1): Module {
    const prev = this.store.length;
    const [m] = this.store.splice(normIndex("ModuleList.pop", i, prev), 1);
    syncIndices(this, this.store, prev);
    return m;
  }

  forward(): never {
    throw new ValueError("ModuleList has no forward: iterate over it in your module's forward");
  }
}

/**
 * Submodules by name (`nn.ModuleDict`), in insertion order.
 * @example const heads = new nn.ModuleDict({ cls: new nn.Linear(8, 3), reg: new nn.Linear(8, 1) }); heads.get("cls")
 */
export class ModuleDict extends Module {
  private readonly store: Map<string, Module> = new Map();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  protected override _members(): [string, unknown][] {
    return [...this.store.entries()];
  }

  override get length(): number {
    return this.store.size;
  }

  get(key: string): Module | undefined {
    return this.store.get(key);
  }

  set(key: string, m: Module): this {
    if (typeof key !== "string" || key === "" || key.includes(".")) throw new ValueError(`ModuleDict: key must be a non-empty string without "." (got ${JSON.stringify(key)})`);
    this.store.set(key, checkModule("ModuleDict.set", m));
    return this;
  }

  has(key: string): boolean {
    return this.store.has(key);
  }

  /** Removes and returns the module under `key`. */
  pop(key: string): Module {
    const m = this.store.get(key);
    if (m === undefined) throw new ValueError(`ModuleDict.pop: no module named ${JSON.stringify(key)}`);
    this.store.delete(key);
    return m;
  }

  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  values(): Module[] {
    return [...this.store.values()];
  }

  /** Key–module pairs. */
  items(): [string, Module][] {
    return [...this.store.entries()];
  }

  [Symbol.iterator](): Iterator<string> {
    return this.store.keys();
  }

  forward(): never {
    throw new ValueError("ModuleDict has no forward: pick its modules in your module's forward");
  }
}

const typeName = (t: Tensor): string => ({ float32: "torch.FloatTensor", float64: "torch.DoubleTensor", int32: "torch.IntTensor", bool: "torch.BoolTensor" })[t.dtype];

/**
 * A list of parameters (`nn.ParameterList`), registered as "0", "1", …; plain tensors appended to
 * it are wrapped as Parameters, as in PyTorch.
 * @example const ws = new nn.ParameterList([new nn.Parameter(torch.randn(3, 3))]); ws[0]
 */
export class ParameterList extends Module {
  [index: number]: Parameter;
  private readonly store: Parameter[] = [];

  constructor(params: Iterable<Tensor> = []) {
    super();
    for (const p of params) this.append(p);
  }

  protected override _members(): [string, unknown][] {
    return this.store.map((p, i) => [String(i), p]);
  }

  override get length(): number {
    return this.store.length;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this.store[Symbol.iterator]();
  }

  at(i: number): Parameter {
    return this.store[normIndex("ParameterList.at", i, this.store.length)];
  }

  append(p: Tensor): this {
    if (!(p instanceof Tensor)) throw new ValueError(`ParameterList.append: expected a Tensor or Parameter, got ${typeof p}`);
    const prev = this.store.length;
    this.store.push(p instanceof Parameter ? p : new Parameter(p));
    syncIndices(this, this.store, prev);
    return this;
  }

  extend(params: Iterable<Tensor>): this {
    for (const p of params) this.append(p);
    return this;
  }

  override extraRepr(): string {
    return this.store.map((p, i) => `  (${i}): Parameter containing: [${typeName(p)} of size ${p.shape.join("x")}]`).join("\n");
  }

  forward(): never {
    throw new ValueError("ParameterList has no forward: use its parameters in your module's forward");
  }
}
