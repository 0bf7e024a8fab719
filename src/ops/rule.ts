import type { Tensor } from "../tensor/tensor.js";

/**
 * The attributes of every op, by op name. Each family file adds its ops to this interface
 * (declaration merging), and `table.ts` must then define a rule for each: a missing one is a
 * compile error.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface OpAttrs {}

export type OpName = keyof OpAttrs;

/**
 * One op, defined once: `forward` starts with the op's shape/dtype rule (validating and raising
 * before anything is computed), then calls backend kernels or composes other ops (it runs with
 * recording off). `vjp` returns one gradient per input, written with differentiable ops so that
 * higher-order gradients work; it may return null where `needs[i]` is false.
 */
export interface OpRule<A> {
  forward(inputs: readonly Tensor[], attrs: A): Tensor;
  vjp(g: Tensor, inputs: readonly Tensor[], out: Tensor, attrs: A, needs: readonly boolean[]): (Tensor | null)[];
  /** The inputs (by position) and/or the output the VJP reads; checked against in-place changes. */
  saves?: readonly (number | "out")[];
  /** Ops whose output carries no gradient (comparisons, argmax) record no node. */
  differentiable?: boolean;
}

/** The rules of one family, keyed by op name. */
export type RuleSet<K extends OpName> = { [P in K]: OpRule<OpAttrs[P]> };
