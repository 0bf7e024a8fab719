/**
 * Options of `duograd article`: parsing and validation. Every mistake becomes a
 * {@link UsageError} whose message names the option and the value, so main.ts can print it and
 * exit with code 2 before anything runs.
 */
import { PROGRAM_IDS, isProgramId, type ProgramId } from "../article/programs/ids.js";

/** Everything `duograd article` can be told. */
export interface ArticleOptions {
  /** The article's `epochs` (the library-loop programs train 3×, as in the article). */
  epochs: number;
  /** The article's `learning_rate`. */
  lr: number;
  /** Seed of the data (NumPy's legacy generator) and of both dialects' generators. */
  seed: number;
  /** Number of samples. */
  n: number;
  /** Output folder of the figures and the report. */
  out: string;
  /** Programs to run, in the demo's order. */
  only: ProgramId[];
  /** Whether to render the figures (SVG and PNG). */
  plots: boolean;
  /** Prints only the summary and the files written. */
  quiet: boolean;
}

/** The article's settings: 100 epochs, learning rate 0.01, seed 0, 200 samples, into `out/`. */
export const DEFAULT_OPTIONS: Readonly<ArticleOptions> = Object.freeze({
  epochs: 100,
  lr: 0.01,
  seed: 0,
  n: 200,
  out: "out",
  only: [...PROGRAM_IDS],
  plots: true,
  quiet: false,
});

/** A mistake on the command line: main.ts prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The result of parsing: options to run with, or a request for the help text. */
export type ParsedArticleArgs = { help: true } | { help: false; options: ArticleOptions };

export const ARTICLE_HELP = `Usage: duograd article [options]

Runs the article "A Tale of Two Frameworks: PyTorch vs. TensorFlow" end to end: generates
its data, runs its five programs (each in its own dialect), shows the broadcasting pitfall,
prints a summary beside the least-squares solution, and writes figures and report.html.

Options:
  --epochs <n>      epochs of the raw and fit programs; the library loops run 3x (default ${DEFAULT_OPTIONS.epochs})
  --lr <x>          learning rate (default ${DEFAULT_OPTIONS.lr})
  --seed <n>        seed of the data and of both dialects' generators (default ${DEFAULT_OPTIONS.seed})
  --n <n>           number of samples (default ${DEFAULT_OPTIONS.n})
  --out <dir>       output folder (default ${DEFAULT_OPTIONS.out})
  --only <names>    run only these programs (comma-separated, or repeat the option):
                    ${PROGRAM_IDS.join(", ")}
  --no-plots        skip the figures; report.html is still written, without them
  --quiet, -q       print only the summary and the files written
  --help, -h        show this help

Writes to the output folder: data.svg/png, fit.svg/png, loss.svg/png, report.html.
Exit codes: 0 done, 1 failed while running, 2 bad option or output folder not writable.`;

type ValueOption = "epochs" | "lr" | "seed" | "n" | "out" | "only";
const VALUE_OPTIONS: readonly ValueOption[] = ["epochs", "lr", "seed", "n", "out", "only"];
const FLAG_OPTIONS = ["no-plots", "quiet", "help"] as const;
const SHORT_FLAGS: Readonly<Record<string, (typeof FLAG_OPTIONS)[number]>> = { "-q": "quiet", "-h": "help" };

const MAX_EPOCHS = 1_000_000;
const MAX_SAMPLES = 10_000_000;

/** An integer in [min, max], written in decimal. */
function parseInteger(option: string, raw: string, min: number, max: number): number {
  if (!/^[+-]?\d+$/.test(raw.trim())) throw new UsageError(`--${option} expects an integer, got '${raw}'`);
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`--${option} must be between ${min} and ${max}, got ${raw}`);
  return v;
}

/** A finite number > 0. */
function parsePositive(option: string, raw: string): number {
  const v = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(v)) throw new UsageError(`--${option} expects a number, got '${raw}'`);
  if (!(v > 0)) throw new UsageError(`--${option} must be greater than 0, got ${raw}`);
  return v;
}

function parseOnly(raw: string): ProgramId[] {
  const names = raw.split(",").map((s) => s.trim());
  const ids: ProgramId[] = [];
  for (const name of names) {
    if (!isProgramId(name)) {
      throw new UsageError(`--only: unknown program '${name}'; the programs are ${PROGRAM_IDS.join(", ")}`);
    }
    ids.push(name);
  }
  return ids;
}

/**
 * Parses the arguments after `duograd article`. Accepts `--opt value` and `--opt=value`.
 * @throws UsageError on an unknown option, a missing or bad value, or a stray argument.
 * @example parseArticleArgs(["--epochs", "5", "--quiet"]) // { help: false, options: { epochs: 5, quiet: true, ... } }
 */
export function parseArticleArgs(args: readonly string[]): ParsedArticleArgs {
  const options: ArticleOptions = { ...DEFAULT_OPTIONS, only: [...DEFAULT_OPTIONS.only] };
  const only = new Set<ProgramId>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg in SHORT_FLAGS) {
      const flag = SHORT_FLAGS[arg]!;
      if (flag === "help") return { help: true };
      options.quiet = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      throw new UsageError(`unexpected argument '${arg}' (options start with --; see duograd article --help)`);
    }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value, got '${arg}'`);
      if (name === "help") return { help: true };
      if (name === "no-plots") options.plots = false;
      else options.quiet = true;
      continue;
    }
    if (!(VALUE_OPTIONS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown option '--${name}' (see duograd article --help)`);
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = next;
      i++;
    }
    switch (name as ValueOption) {
      case "epochs":
        options.epochs = parseInteger(name, value, 1, MAX_EPOCHS);
        break;
      case "lr":
        options.lr = parsePositive(name, value);
        break;
      case "seed":
        options.seed = parseInteger(name, value, 0, 2 ** 32 - 1);
        break;
      case "n":
        options.n = parseInteger(name, value, 2, MAX_SAMPLES);
        break;
      case "out":
        if (value.trim() === "") throw new UsageError("--out needs a folder name, got an empty string");
        options.out = value;
        break;
      case "only":
        for (const id of parseOnly(value)) only.add(id);
        break;
    }
  }
  // The demo's order, whatever order --only listed them in.
  if (only.size > 0) options.only = PROGRAM_IDS.filter((id) => only.has(id));
  return { help: false, options };
}
