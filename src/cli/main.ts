#!/usr/bin/env node
/**
 * The `duograd` command. `duograd article [options]` runs the article end to end (see
 * article.ts). Exit codes: 0 done, 1 failed while running, 2 bad usage or output folder not
 * writable (reported before any training).
 */
import { ARTICLE_HELP, UsageError, parseArticleArgs } from "./options.js";
import { OutputDirError } from "./output_dir.js";

const HELP = `Usage: duograd <command> [options]

Commands:
  article    run the article "A Tale of Two Frameworks: PyTorch vs. TensorFlow" end to end,
             print its output and a summary, write figures and report.html
  help       show this help (duograd article --help: the article's options)`;

/** Runs the command line `args` (without node and the script); resolves to the exit code. */
async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined) {
    process.stderr.write(`${HELP}\n`);
    return 2;
  }
  if (command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (command !== "article") {
    process.stderr.write(`duograd: unknown command '${command}'\n\n${HELP}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArticleArgs(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`duograd article: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    process.stdout.write(`${ARTICLE_HELP}\n`);
    return 0;
  }
  // Loaded only now so usage errors and --help answer without loading the library.
  const { runArticle } = await import("./article.js");
  try {
    await runArticle(parsed.options, {
      out: (line) => process.stdout.write(`${line}\n`),
      write: (text) => process.stdout.write(text),
      isTTY: process.stdout.isTTY === true,
    });
    return 0;
  } catch (e) {
    if (e instanceof OutputDirError) {
      process.stderr.write(`duograd article: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`duograd article: failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

// A reader that stops early (`duograd article | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
