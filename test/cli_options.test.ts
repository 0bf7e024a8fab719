// `duograd article` options: parsing, validation messages, exit codes, and the output-folder
// check that must fail before any training starts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_OPTIONS, UsageError, parseArticleArgs } from "../src/cli/options.js";
import { OutputDirError, ensureWritableDir } from "../src/cli/output_dir.js";

const MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function options(args: string[]) {
  const parsed = parseArticleArgs(args);
  assert.equal(parsed.help, false);
  return (parsed as Extract<typeof parsed, { help: false }>).options;
}

test("defaults are the article's settings", () => {
  const o = options([]);
  assert.deepEqual(o, { ...DEFAULT_OPTIONS, only: [...DEFAULT_OPTIONS.only] });
  assert.equal(o.epochs, 100);
  assert.equal(o.lr, 0.01);
  assert.equal(o.seed, 0);
  assert.equal(o.n, 200);
  assert.equal(o.out, "out");
  assert.deepEqual(o.only, ["tf-raw", "torch-raw", "tf-fit", "tf-train-loop", "torch-layers", "pitfall"]);
  assert.equal(o.plots, true);
  assert.equal(o.quiet, false);
});

test("values in both spellings, flags, and --only in the demo's order", () => {
  const o = options(["--epochs", "7", "--lr=0.05", "--seed", "42", "--n=50", "--out", "x y", "--only", "torch-layers,tf-raw", "--only=torch-raw", "--no-plots", "-q"]);
  assert.equal(o.epochs, 7);
  assert.equal(o.lr, 0.05);
  assert.equal(o.seed, 42);
  assert.equal(o.n, 50);
  assert.equal(o.out, "x y");
  assert.deepEqual(o.only, ["tf-raw", "torch-raw", "torch-layers"]);
  assert.equal(o.plots, false);
  assert.equal(o.quiet, true);
  assert.equal(options(["--quiet"]).quiet, true);
  assert.equal(options(["--lr", "1e-3"]).lr, 0.001);
});

test("--help and -h ask for the help text", () => {
  assert.deepEqual(parseArticleArgs(["--help"]), { help: true });
  assert.deepEqual(parseArticleArgs(["--epochs", "3", "-h"]), { help: true });
});

test("bad options and values name the option and the value", () => {
  const cases: [string[], RegExp][] = [
    [["--epochs", "abc"], /--epochs expects an integer, got 'abc'/],
    [["--epochs", "0"], /--epochs must be between 1 and/],
    [["--epochs", "2.5"], /--epochs expects an integer, got '2.5'/],
    [["--epochs"], /--epochs needs a value/],
    [["--epochs", "--quiet"], /--epochs needs a value/],
    [["--lr", "-1"], /--lr must be greater than 0, got -1/],
    [["--lr", "fast"], /--lr expects a number, got 'fast'/],
    [["--lr", "Infinity"], /--lr expects a number/],
    [["--seed", "-3"], /--seed must be between 0 and 4294967295, got -3/],
    [["--seed", "4294967296"], /--seed must be between 0 and 4294967295/],
    [["--n", "1"], /--n must be between 2 and/],
    [["--out", ""], /--out needs a folder name/],
    [["--only", "keras"], /--only: unknown program 'keras'; the programs are tf-raw, torch-raw/],
    [["--only", "tf-raw,"], /--only: unknown program ''/],
    [["--bogus"], /unknown option '--bogus'/],
    [["--quiet=yes"], /--quiet takes no value/],
    [["extra"], /unexpected argument 'extra'/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseArticleArgs(args), (e: unknown) => e instanceof UsageError && message.test(e.message), args.join(" "));
  }
});

test("ensureWritableDir creates nested folders and leaves nothing behind", () => {
  const root = mkdtempSync(join(tmpdir(), "duograd-cli-"));
  try {
    const dir = join(root, "a", "b");
    assert.equal(ensureWritableDir(dir), dir);
    assert.ok(statSync(dir).isDirectory());
    assert.deepEqual(readdirSync(dir), []);
    // A file in the way of the path, and a file where the folder should be.
    writeFileSync(join(root, "file"), "x");
    assert.throws(() => ensureWritableDir(join(root, "file", "sub")), (e: unknown) => e instanceof OutputDirError && /cannot create output folder .*file.*sub/.test(e.message));
    assert.throws(() => ensureWritableDir(join(root, "file")), OutputDirError);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the command: bad options exit with code 2 and a message on stderr, before anything runs", () => {
  for (const [args, message] of [
    [["article", "--epochs", "zero"], "duograd article: --epochs expects an integer, got 'zero'"],
    [["article", "--only", "jax"], "duograd article: --only: unknown program 'jax'"],
    [["article", "--frobnicate"], "duograd article: unknown option '--frobnicate'"],
    [["train"], "duograd: unknown command 'train'"],
  ] as const) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.includes(message), `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
  }
  const none = cli();
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: duograd <command>/);
});

test("the command: --help prints the options and exits 0", () => {
  const r = cli("article", "--help");
  assert.equal(r.code, 0, r.stderr);
  for (const opt of ["--epochs", "--lr", "--seed", "--n", "--out", "--only", "--no-plots", "--quiet", "--help"]) {
    assert.ok(r.stdout.includes(opt), opt);
  }
  const top = cli("--help");
  assert.equal(top.code, 0);
  assert.match(top.stdout, /article/);
});

test("the command: an output folder that cannot be written is reported before any training", () => {
  const root = mkdtempSync(join(tmpdir(), "duograd-cli-"));
  try {
    const blocker = join(root, "not-a-folder");
    writeFileSync(blocker, "x");
    const r = cli("article", "--out", join(blocker, "out"), "--epochs", "1");
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /duograd article: cannot create output folder '.*not-a-folder.out': a part of the path is a file, not a folder/);
    assert.doesNotMatch(r.stdout, /Epoch/);
    assert.equal(existsSync(join(blocker, "out")), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
