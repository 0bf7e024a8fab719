/**
 * The table the article ends with: every difference between the two frameworks it met, each
 * tied to the lines of the programs that show it (found in the program sources by pattern).
 */
import type { ProgramId } from "./programs/ids.js";

/** Where a difference shows in one program: the lines of its source matching `pattern`. */
export interface DifferenceRef {
  program: Exclude<ProgramId, "pitfall">;
  pattern: RegExp;
}

/** One row: the aspect, how each dialect does it (`code` in backticks), and where it shows. */
export interface Difference {
  aspect: string;
  tf: string;
  torch: string;
  refs: DifferenceRef[];
}

const TF_LAYER_PROGRAMS = ["tf-fit", "tf-train-loop"] as const;

/** The article's table of differences, in its order. */
export const DIFFERENCES: readonly Difference[] = [
  {
    aspect: "Declaring parameters",
    tf: "`tf.Variable` fields of a `tf.keras.Model`, or a layer: `tf.keras.layers.Dense(1)`, whose variables are created on its first call",
    torch: "`torch.nn.Parameter` fields of a `torch.nn.Module`, or a layer: `torch.nn.Linear(1, 1)`, whose parameters exist at once",
    refs: [
      { program: "tf-raw", pattern: /new tf\.Variable\(/ },
      ...TF_LAYER_PROGRAMS.map((program) => ({ program, pattern: /new tf\.keras\.layers\.Dense\(/ })),
      { program: "torch-raw", pattern: /new torch\.nn\.Parameter\(/ },
      { program: "torch-layers", pattern: /new torch\.nn\.Linear\(/ },
    ],
  },
  {
    aspect: "The forward method",
    tf: "`call(x)` (Python: `call` or `__call__`); the model is called as `model(x)`",
    torch: "`forward(x)`; the module is called as `model(x)`, which runs `forward`",
    refs: [
      { program: "tf-raw", pattern: /^\s*(?:override\s+)?call\(/ },
      ...TF_LAYER_PROGRAMS.map((program) => ({ program, pattern: /^\s*(?:override\s+)?call\(/ })),
      { program: "torch-raw", pattern: /^\s*(?:override\s+)?forward\(/ },
      { program: "torch-layers", pattern: /^\s*(?:override\s+)?forward\(/ },
    ],
  },
  {
    aspect: "Computing gradients",
    tf: "`tape.gradient(loss, variables)` returns them, for what ran inside `tape.record(() => …)` (Python: `with tf.GradientTape() as tape`)",
    torch: "`loss.backward()` adds them to each parameter's `.grad`",
    refs: [
      { program: "tf-raw", pattern: /tape\.gradient\(/ },
      { program: "tf-train-loop", pattern: /tape\.gradient\(/ },
      { program: "torch-raw", pattern: /\.backward\(\)/ },
      { program: "torch-layers", pattern: /\.backward\(\)/ },
    ],
  },
  {
    aspect: "Turning recording off",
    tf: "nothing to do: only what runs inside the tape is recorded, so updates after it are not",
    torch: "updates go inside `torch.noGrad(() => …)` (Python: `with torch.no_grad():`)",
    refs: [
      { program: "tf-raw", pattern: /tape\.record\(/ },
      { program: "tf-train-loop", pattern: /tape\.record\(/ },
      { program: "torch-raw", pattern: /torch\.noGrad\(/ },
    ],
  },
  {
    aspect: "Zeroing gradients",
    tf: "not needed: gradients are returned, never accumulated",
    torch: "`w.grad.zero_()` or `optimizer.zeroGrad()` every step, since `backward()` accumulates",
    refs: [
      { program: "torch-raw", pattern: /\.grad!?\.zero_\(\)/ },
      { program: "torch-layers", pattern: /\.zeroGrad\(\)/ },
    ],
  },
  {
    aspect: "Applying updates",
    tf: "`w.assign(w.sub(…))`, or `optimizer.applyGradients(tf.zip(grads, variables))`",
    torch: "in place, `w.sub_(…)` under `noGrad`, or `optimizer.step()`",
    refs: [
      { program: "tf-raw", pattern: /\.assign\(/ },
      { program: "tf-train-loop", pattern: /\.applyGradients\(/ },
      { program: "torch-raw", pattern: /\.sub_\(/ },
      { program: "torch-layers", pattern: /optimizer\.step\(\)/ },
    ],
  },
  {
    aspect: "Built-in losses and optimizers",
    tf: "functions: `tf.losses.mse`, `tf.keras.losses.meanAbsoluteError`; `tf.keras.optimizers.SGD({ learningRate })`",
    torch: "objects to call: `torch.nn.MSELoss({ reduction })`; `torch.optim.SGD(parameters, { lr })` holds the parameters",
    refs: [
      { program: "tf-fit", pattern: /losses\.meanAbsoluteError|optimizers\.SGD\(/ },
      { program: "tf-train-loop", pattern: /tf\.losses\.mse\(|optimizers\.SGD\(/ },
      { program: "torch-layers", pattern: /nn\.MSELoss\(|optim\.SGD\(/ },
    ],
  },
  {
    aspect: "The high-level training loop",
    tf: "`model.compile({ optimizer, loss })`, then `model.fit(x, y, { epochs, batchSize })`",
    torch: "none: the loop is written out (`zeroGrad`, `backward`, `step`)",
    refs: [
      { program: "tf-fit", pattern: /\.compile\(|\.fit\(/ },
      { program: "torch-layers", pattern: /for \(let epoch/ },
    ],
  },
];

/**
 * The 1-based numbers of the lines of `source` that match `pattern`, comment lines left out
 * (a doc comment that mentions `loss.backward()` is not where the program calls it).
 * @example matchingLines("a\n// a\nb\na", /a/) // [1, 4]
 */
export function matchingLines(source: string, pattern: RegExp): number[] {
  const lines = source.split(/\r?\n/);
  const found: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(?:\/\/|\/\*|\*)/.test(line)) continue;
    if (pattern.test(line)) found.push(i + 1);
  }
  return found;
}
