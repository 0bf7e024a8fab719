/**
 * `duograd article`: runs the article end to end (data, the five programs, the broadcasting
 * pitfall), prints what the article prints, a summary beside the least-squares solution, and
 * writes the figures and report.html.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RandomState, getBackendName, tf } from "../index.js";
import { generateData, leastSquares, mean, meanSquaredError, type ArticleData, type LineFit } from "../article/data.js";
import {
  PROGRAMS,
  torchPitfall,
  type PitfallResult,
  type ProgramInput,
  type ProgramResult,
  type ProgramSpec,
} from "../article/programs/index.js";
import type { ArticleOptions } from "./options.js";
import { ensureWritableDir } from "./output_dir.js";
import { renderPitfallFigure, writeFigures, type Figure } from "./figures.js";
import { fmt, summaryNotes, summaryText } from "./summary.js";
import { buildReport } from "./report.js";

/** Where the runner prints. */
export interface ArticleIO {
  /** Prints one line. */
  out(line: string): void;
  /**
   * Writes text as is, for Keras' progress bar (which redraws itself with "\r" on a terminal).
   * Without it, Keras' output is printed through `out`, line by line.
   */
  write?(text: string): void;
  /** Whether `write` goes to a terminal. */
  isTTY?: boolean;
}

/** The timing and results common to every training run. */
interface TrainingRun {
  /** Epochs actually trained. */
  epochs: number;
  seconds: number;
  msPerEpoch: number;
  /** The loss of the last epoch, as the program computed it. */
  finalLoss: number;
  /** Mean squared error of the fitted line on the samples (comparable across programs). */
  mse: number;
  /** The lines the program printed. */
  output: string[];
}

/** One of the five programs, run. */
export interface ProgramRun extends TrainingRun {
  spec: ProgramSpec;
  result: ProgramResult;
}

/** The broadcasting pitfall, run. */
export interface PitfallRun extends TrainingRun {
  /** Its name in the summary and the figure. */
  name: string;
  result: PitfallResult;
}

/** Everything a run produced; the report and the tests read it. */
export interface ArticleRun {
  options: ArticleOptions;
  data: ArticleData;
  leastSquares: LineFit;
  meanY: number;
  programs: ProgramRun[];
  pitfall?: PitfallRun;
  /** Absolute paths of the files written. */
  files: string[];
}

const DATA = { m: 0.1, b: 0.3, noise: 0.15 };

/**
 * Runs the article with `options`, printing through `io`. Checks the output folder before any
 * training (throws OutputDirError). Resolves to everything the run produced.
 * @example const run = await runArticle({ ...DEFAULT_OPTIONS, epochs: 5, out: "tmp" }, { out: console.log });
 */
export async function runArticle(options: ArticleOptions, io: ArticleIO): Promise<ArticleRun> {
  const outDir = ensureWritableDir(options.out);
  const say = (line = "") => io.out(line);
  const verbose = !options.quiet;

  const data = generateData(new RandomState(options.seed), { ...DATA, n: options.n });
  const run: ArticleRun = {
    options,
    data,
    leastSquares: leastSquares(data.x, data.y),
    meanY: mean(data.y),
    programs: [],
    files: [],
  };
  if (verbose) {
    say(`duograd article: "A Tale of Two Frameworks: PyTorch vs. TensorFlow", reproduced`);
    say(
      `data: ${options.n} samples of y = ${DATA.m}·x + ${DATA.b} + N(0, ${DATA.noise}²), x ~ U(-10, 10), ` +
        `NumPy legacy seed ${options.seed}`,
    );
    say(
      `settings: epochs ${options.epochs} (library loops: ${3 * options.epochs}), learning rate ${options.lr}; ` +
        `backend ${getBackendName()}`,
    );
  }

  const selected = PROGRAMS.filter((p) => options.only.includes(p.id));
  for (const [k, spec] of selected.entries()) {
    const epochs = options.epochs * spec.epochFactor;
    if (verbose) {
      say();
      say(`== ${k + 1}/${selected.length} ${spec.title} [${spec.id}] (${spec.file}, ${epochs} epochs)`);
    }
    const output: string[] = [];
    const input = programInput(options, data, output, verbose ? say : () => {});
    const start = performance.now();
    const result = await withKerasOutput(verbose ? io : undefined, output, () => spec.run(input));
    const seconds = (performance.now() - start) / 1000;
    const pr: ProgramRun = { spec, result, ...trainingRun(result, epochs, seconds, data, output) };
    run.programs.push(pr);
    if (verbose) say(`   w = ${fmt(result.w)}, b = ${fmt(result.b)}  (${timing(pr)})`);
  }

  if (options.only.includes("pitfall")) run.pitfall = runPitfall(run, options, verbose ? say : () => {});

  if (verbose) say();
  say("== Summary (w, b: the fitted line y = w·x + b; MSE of the line: on all samples)");
  for (const line of summaryText(run).split("\n")) say(line);
  if (verbose) for (const note of summaryNotes(run)) say(`* ${note}`);

  const figures: Figure[] = [];
  if (options.plots) {
    figures.push(...(await writeFigures(run, outDir)));
    const pitfallFigure = await renderPitfallFigure(run);
    if (pitfallFigure !== undefined) figures.push(pitfallFigure);
    for (const f of figures) run.files.push(...f.files);
  }
  const reportPath = join(outDir, "report.html");
  writeFileSync(reportPath, buildReport(run, figures));
  run.files.push(reportPath);

  say();
  say(`wrote ${run.files.length} ${run.files.length === 1 ? "file" : "files"} to ${outDir}:`);
  for (const f of run.files) say(`  ${f}`);
  return run;
}

/**
 * Runs `fn` with Keras' printed output (fit's progress) sent to `io` and kept, line by line as a
 * console shows it, in `lines` for the report.
 */
async function withKerasOutput<T>(io: ArticleIO | undefined, lines: string[], fn: () => T | Promise<T>): Promise<T> {
  let pending = "";
  const endLine = () => {
    lines.push(pending);
    if (io && !io.write) io.out(pending);
    pending = "";
  };
  const previous = tf.keras.utils.setOutput({
    isTTY: io?.write !== undefined && io.isTTY === true,
    write(text: string) {
      io?.write?.(text);
      for (const ch of text) {
        if (ch === "\n") endLine();
        else if (ch === "\r") pending = "";
        else pending += ch;
      }
    },
  });
  try {
    return await fn();
  } finally {
    tf.keras.utils.setOutput(previous);
    if (pending !== "") endLine();
  }
}

function programInput(options: ArticleOptions, data: ArticleData, output: string[], print: (l: string) => void): ProgramInput {
  return {
    data,
    epochs: options.epochs,
    learningRate: options.lr,
    seed: options.seed,
    verbose: !options.quiet,
    log: (line: string) => {
      output.push(line);
      print(line);
    },
  };
}

function trainingRun(result: ProgramResult, epochs: number, seconds: number, data: ArticleData, output: string[]): TrainingRun {
  return {
    epochs,
    seconds,
    msPerEpoch: (seconds * 1000) / epochs,
    finalLoss: result.losses[result.losses.length - 1] ?? NaN,
    mse: meanSquaredError(data.x, data.y, result.w, result.b),
    output,
  };
}

function runPitfall(run: ArticleRun, options: ArticleOptions, say: (line?: string) => void): PitfallRun {
  const n = options.n;
  say();
  say(`== The broadcasting pitfall [pitfall] (torch_pitfall.ts, ${options.epochs} epochs)`);
  say(`The PyTorch raw program again, with labels = torch.tensor(y) left at shape [${n}] instead of [${n}, 1]:`);
  const output: string[] = [];
  const start = performance.now();
  const result = torchPitfall(programInput(options, run.data, output, say));
  const seconds = (performance.now() - start) / 1000;
  const pit: PitfallRun = {
    name: `pytorch raw, labels [${n}]`,
    result,
    ...trainingRun(result, options.epochs, seconds, run.data, output),
  };
  const shape = (s: readonly number[]) => `[${s.join(", ")}]`;
  say(
    `   yPred ${shape(result.predShape)} - labels ${shape(result.labelsShape)} broadcasts to ${shape(result.diffShape)}: ` +
      `every prediction is compared with every label.`,
  );
  say(
    `   The loss is then smallest where every prediction equals mean(y): w -> 0, b -> mean(y) = ${fmt(run.meanY)}.`,
  );
  const correct = run.programs.find((p) => p.spec.id === "torch-raw");
  const vs = (v: number | undefined) => (v === undefined ? "" : ` (correct program: ${fmt(v)})`);
  say(`   w = ${fmt(result.w)}${vs(correct?.result.w)}, b = ${fmt(result.b)}${vs(correct?.result.b)}  (${timing(pit)})`);
  say(`   torch.mean(torch.square(yPred.sub(labels))) gives no warning, as in PyTorch; nn.MSELoss does:`);
  for (const w of result.warnings) say(`   UserWarning: ${w}`);
  if (result.warnings.length === 0) say("   (no warning was emitted)");
  return pit;
}

function timing(r: TrainingRun): string {
  const total = r.seconds >= 1 ? `${r.seconds.toFixed(2)} s` : `${(r.seconds * 1000).toFixed(1)} ms`;
  return `${r.epochs} epochs in ${total}, ${r.msPerEpoch.toFixed(3)} ms/epoch`;
}
