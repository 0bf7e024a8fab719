/**
 * The article's programs in the order the demo runs them, with what the runner, the figures and
 * the report need to know about each.
 */
import type { ProgramId } from "./ids.js";
import type { ProgramInput, ProgramResult } from "./types.js";
import { tfRaw } from "./tf_raw.js";
import { torchRaw } from "./torch_raw.js";
import { tfFit } from "./tf_fit.js";
import { tfTrainLoop } from "./tf_train_loop.js";
import { torchLayers } from "./torch_layers.js";

export { PROGRAM_IDS, isProgramId, type ProgramId } from "./ids.js";
export type { ProgramInput, ProgramResult } from "./types.js";
export { torchPitfall, PITFALL_FILE, type PitfallResult } from "./torch_pitfall.js";

/** One of the five programs and how to present it. */
export interface ProgramSpec {
  id: Exclude<ProgramId, "pitfall">;
  /** The article's heading for it. */
  title: string;
  /** Its name in the figures' legends (the plot module colors programs by these names). */
  name: string;
  dialect: "tf" | "torch";
  /** Its source file in src/article/programs/. */
  file: string;
  /** Epochs it trains per `epochs` asked for: the library loops run 3×, as in the article. */
  epochFactor: number;
  /** The loss it trains on and reports. */
  loss: "mean squared error" | "mean absolute error";
  /** The program of the other dialect it is shown beside. */
  counterpart: Exclude<ProgramId, "pitfall">;
  run(input: ProgramInput): ProgramResult | Promise<ProgramResult>;
}

/** The five programs, in the article's order of presentation in the demo. */
export const PROGRAMS: readonly ProgramSpec[] = [
  {
    id: "tf-raw",
    title: "TensorFlow: raw variables and GradientTape",
    name: "tensorflow raw",
    dialect: "tf",
    file: "tf_raw.ts",
    epochFactor: 1,
    loss: "mean squared error",
    counterpart: "torch-raw",
    run: tfRaw,
  },
  {
    id: "torch-raw",
    title: "PyTorch: raw parameters and backward()",
    name: "pytorch raw",
    dialect: "torch",
    file: "torch_raw.ts",
    epochFactor: 1,
    loss: "mean squared error",
    counterpart: "tf-raw",
    run: torchRaw,
  },
  {
    id: "tf-fit",
    title: "Keras: Dense, compile and fit",
    name: "tensorflow fit",
    dialect: "tf",
    file: "tf_fit.ts",
    epochFactor: 1,
    loss: "mean absolute error",
    counterpart: "torch-layers",
    run: tfFit,
  },
  {
    id: "tf-train-loop",
    title: "TensorFlow: Dense, custom loop with SGD and tf.losses.mse",
    name: "tensorflow train loop",
    dialect: "tf",
    file: "tf_train_loop.ts",
    epochFactor: 3,
    loss: "mean squared error",
    counterpart: "torch-layers",
    run: tfTrainLoop,
  },
  {
    id: "torch-layers",
    title: "PyTorch: Linear, nn.MSELoss and optim.SGD",
    name: "pytorch",
    dialect: "torch",
    file: "torch_layers.ts",
    epochFactor: 3,
    loss: "mean squared error",
    counterpart: "tf-train-loop",
    run: torchLayers,
  },
];

/** The spec of a program by id. */
export function programSpec(id: Exclude<ProgramId, "pitfall">): ProgramSpec {
  const spec = PROGRAMS.find((p) => p.id === id);
  if (spec === undefined) throw new RangeError(`no article program '${id}'`);
  return spec;
}
