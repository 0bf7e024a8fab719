/**
 * Base class whose instances are callable like Python objects with `__call__`: `model(x)`.
 * The constructor returns a function object that carries the subclass's prototype, so subclass
 * fields land on it in declaration order and `instanceof` works. Subclasses implement `_call`.
 *
 * @example
 * class Double extends CallableObject { protected _call(x: number) { return 2 * x; } }
 * new Double()(3); // 6
 */
export interface CallableObject {
  (...args: any[]): any;
}
export class CallableObject {
  constructor() {
    const f = function (...args: unknown[]): unknown {
      return (f as unknown as CallableObject)._call(...args);
    };
    // A function's own `name` and `length` are read-only; layers use `name` for themselves.
    delete (f as { name?: string }).name;
    delete (f as { length?: number }).length;
    Object.setPrototypeOf(f, new.target.prototype);
    return f as unknown as CallableObject;
  }

  protected _call(..._args: unknown[]): unknown {
    throw new Error(`${this.constructor.name} is not callable: it defines no forward/call`);
  }
}
