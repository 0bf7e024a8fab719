import type { OpAttrs, OpRule } from "./rule.js";
import { unaryRules } from "./unary.js";
import { binaryRules } from "./binary.js";
import { reduceRules } from "./reduce.js";
import { shapeRules } from "./shape.js";
import { indexingRules } from "./indexing.js";
import { linalgRules } from "./linalg.js";
import { convRules } from "./conv.js";
import { mseRules } from "./losses/mse.js";
import { linearRules } from "./linear.js";

/**
 * The op table: every op of duograd, defined once. Its type requires a rule for every op any
 * family declared in `OpAttrs`, so a missing rule does not compile.
 */
export const TABLE: { [K in keyof OpAttrs]: OpRule<OpAttrs[K]> } = {
  ...unaryRules,
  ...binaryRules,
  ...reduceRules,
  ...shapeRules,
  ...indexingRules,
  ...linalgRules,
  ...convRules,
  ...mseRules,
  ...linearRules,
};

/** Names of all ops in the table. */
export function opNames(): string[] {
  return Object.keys(TABLE);
}
