/**
 * The source files of the article programs, read at run time so the report shows exactly the
 * code that ran. The TypeScript sources ship with the package (package.json "files"); should
 * they be missing, the compiled JavaScript beside this module stands in.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One program's source text and where it came from. */
export interface ProgramSource {
  /** The file name shown in the report, e.g. "torch_raw.ts". */
  file: string;
  text: string;
  /** True when the TypeScript source was missing and the compiled JavaScript is shown. */
  compiled: boolean;
}

// From dist/src/cli/ up to the package root, then into the sources.
const TS_DIR = new URL("../../../src/article/programs/", import.meta.url);
const JS_DIR = new URL("../article/programs/", import.meta.url);

/**
 * Reads `src/article/programs/<file>` from the package, or its compiled `.js` if the source
 * is absent.
 * @throws Error when neither exists.
 * @example readProgramSource("torch_raw.ts").text
 */
export function readProgramSource(file: string): ProgramSource {
  const ts = fileURLToPath(new URL(file, TS_DIR));
  if (existsSync(ts)) return { file, text: readFileSync(ts, "utf8"), compiled: false };
  const jsFile = file.replace(/\.ts$/, ".js");
  const js = fileURLToPath(new URL(jsFile, JS_DIR));
  if (existsSync(js)) return { file: jsFile, text: readFileSync(js, "utf8"), compiled: true };
  throw new Error(`cannot find the source of the article program ${file} (looked for ${ts} and ${js})`);
}
