// `duograd article` end to end: the data equal NumPy's, the least-squares reference, the printed
// losses of the PyTorch programs equal real PyTorch's, the pitfall is shown with its warning, and
// the figures and the report are written and well formed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { Resvg } from "@resvg/resvg-js";
import { RandomState } from "../src/index.js";
import { generateData, leastSquares, mean, meanSquaredError } from "../src/article/data.js";
import { DIFFERENCES, matchingLines } from "../src/article/differences.js";
import { PROGRAMS, programSpec } from "../src/article/programs/index.js";
import { readProgramSource } from "../src/cli/sources.js";
import { formatTable } from "../src/cli/summary.js";
import { highlightLines } from "../src/cli/highlight.js";

const MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

interface OracleRun {
  log_every_20: [number, number][];
  final_w: number[];
  final_b: number[];
}
const ORACLE = JSON.parse(readFileSync(new URL("../../test/fixtures/article_torch.json", import.meta.url), "utf8")) as {
  learning_rate: number;
  epochs: number;
  raw: OracleRun;
  layers: OracleRun;
  broadcast_pitfall: { pred_shape: number[]; labels_shape: number[]; diff_shape: number[] };
};
const RNG = JSON.parse(readFileSync(new URL("../../test/fixtures/rng.json", import.meta.url), "utf8")) as {
  cases: { lib: string; seed: number; calls: { fn: string; x?: number[]; y?: number[]; n?: number }[] }[];
};

function runCli(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, "article", ...args], {
    encoding: "utf8",
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "duograd-article-"));
}

/** The printed output split at the `== ... [id]` headers, keyed by program id (and "summary"). */
function sections(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    const header = /^== .*?(?:\[([a-z-]+)\]|(Summary))/.exec(line);
    if (header) {
      current = [];
      out.set(header[1] ?? "summary", current);
    } else current?.push(line);
  }
  return out;
}

/** The `Epoch N : Loss L` lines of a section. */
function epochLosses(lines: string[]): [number, number][] {
  return lines.flatMap((l) => {
    const m = /^Epoch (\d+) : Loss (\S+)$/.exec(l);
    return m ? [[Number(m[1]), Number(m[2])] as [number, number]] : [];
  });
}

/** The `w = …, b = …` line a program section ends with. */
function finalLine(lines: string[]): { w: number; b: number } {
  const l = lines.find((s) => /^\s+w = /.test(s));
  assert.ok(l, `no result line in:\n${lines.join("\n")}`);
  const m = /w = (\S+?),? .*?b = (\S+)/.exec(l)!;
  return { w: Number(m[1]), b: Number(m[2]) };
}

/** The oracle's float32 tolerance (oracle/README.md). */
function closeTo(actual: number, ref: number, what: string, rel = 1e-4, abs = 1e-5): void {
  assert.ok(Math.abs(actual - ref) <= abs + rel * Math.abs(ref), `${what}: ${actual} vs PyTorch ${ref}`);
}

/**
 * Reads a PNG's size from its header and decodes its image data: the chunks' CRCs must hold and
 * the inflated data must hold exactly one filtered row per line (8-bit RGBA, as resvg writes).
 */
function decodePngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.equal(png[24], 8, "bit depth");
  assert.equal(png[25], 6, "RGBA");
  const idat: Buffer[] = [];
  let off = 8;
  let ended = false;
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.subarray(off + 4, off + 8).toString("latin1");
    assert.equal(crc32(png.subarray(off + 4, off + 8 + len)), png.readUInt32BE(off + 8 + len), `CRC of ${type}`);
    if (type === "IDAT") idat.push(png.subarray(off + 8, off + 8 + len));
    if (type === "IEND") ended = true;
    off += 12 + len;
  }
  assert.ok(ended, "IEND chunk");
  const raw = inflateSync(Buffer.concat(idat));
  assert.equal(raw.length, height * (1 + 4 * width), "decoded image data size");
  for (let row = 0; row < height; row++) assert.ok(raw[row * (1 + 4 * width)]! <= 4, "row filter type");
  return { width, height };
}

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg.trimStart());
  assert.ok(m, "the SVG's root element has a width and a height");
  return { width: Number(m[1]), height: Number(m[2]) };
}

test("the data equal NumPy's generate_data after np.random.seed(0)", () => {
  const ref = RNG.cases.find((c) => c.lib === "numpy-legacy" && c.calls[0]?.fn === "generate_data")!.calls[0]!;
  const { x, y } = generateData(new RandomState(0));
  assert.equal(x.length, 200);
  assert.ok(x instanceof Float32Array && y instanceof Float32Array);
  assert.deepEqual([...x], ref.x);
  assert.deepEqual([...y], ref.y);
});

test("least squares equals NumPy's polyfit on the article's data", () => {
  const { x, y } = generateData(new RandomState(0));
  const ls = leastSquares(x, y);
  // np.polyfit(x, y, 1) on the float32 samples as float64 (NumPy 2.4).
  closeTo(ls.w, 0.09671466997825853, "w", 1e-12, 0);
  closeTo(ls.b, 0.2831879814647168, "b", 1e-12, 0);
  closeTo(ls.mse, 0.020543940570955446, "mse", 1e-12, 0);
  closeTo(mean(y), 0.28403481278568504, "mean(y)", 1e-12, 0);
  assert.deepEqual(leastSquares([0, 1, 2], [1, 3, 5]), { w: 2, b: 1, mse: 0 });
  assert.equal(meanSquaredError([0, 1], [1, 1], 1, 0), 0.5);
  assert.throws(() => leastSquares([1, 1], [0, 2]), /all x are equal/);
});

test("formatTable pads columns and right-aligns numbers", () => {
  assert.equal(formatTable(["name", "v"], [["a", "1.5"], ["bbb", "10"]]), "name    v\n----  ---\na     1.5\nbbb    10");
});

test("highlightLines keeps one fragment per line and escapes HTML", () => {
  const src = "/* a\n b */ const s = \"<x>\"; // c & d\nlet n = 2;\n";
  const lines = highlightLines(src);
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^<span class="tok-comment">\/\* a<\/span>$/);
  assert.match(lines[1]!, /&lt;x&gt;/);
  assert.match(lines[1]!, /c &amp; d/);
  assert.match(lines[2]!, /<span class="tok-keyword">let<\/span> n = <span class="tok-number">2<\/span>;/);
});

test("every row of the table of differences points at lines of the programs", () => {
  assert.equal(DIFFERENCES.length, 8);
  for (const d of DIFFERENCES) {
    for (const r of d.refs) {
      const src = readProgramSource(programSpec(r.program).file);
      assert.equal(src.compiled, false, "the TypeScript sources are read");
      assert.ok(matchingLines(src.text, r.pattern).length > 0, `${d.aspect}: ${r.pattern} in ${src.file}`);
    }
    const dialects = new Set(d.refs.map((r) => programSpec(r.program).dialect));
    assert.ok(dialects.has("torch"), `${d.aspect} points at PyTorch lines`);
  }
});

test("end to end with few epochs: output, figures and report", () => {
  const out = tempDir();
  try {
    const r = runCli("--epochs", "3", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    const s = sections(r.stdout);
    assert.deepEqual([...s.keys()], ["tf-raw", "torch-raw", "tf-fit", "tf-train-loop", "torch-layers", "pitfall", "summary"]);
    assert.deepEqual(epochLosses(s.get("tf-raw")!).map((e) => e[0]), [0]);
    assert.deepEqual(epochLosses(s.get("tf-train-loop")!).map((e) => e[0]), [0]);
    // Keras' progress output for fit.
    const fit = s.get("tf-fit")!.join("\n");
    for (const e of [1, 2, 3]) assert.match(fit, new RegExp(`Epoch ${e}/3`));
    assert.match(fit, /loss: \d/);
    // The summary: every program, the pitfall and the least-squares line.
    const summary = s.get("summary")!.join("\n");
    for (const p of PROGRAMS) assert.match(summary, new RegExp(`^${p.name} `, "m"));
    assert.match(summary, /^pytorch raw, labels \[200\]/m);
    assert.match(summary, /^least squares \(closed form\) .* 0\.0967147 +0\.283188 /m);

    const files = readdirSync(out).sort();
    assert.deepEqual(files, ["data.png", "data.svg", "fit.png", "fit.svg", "loss.png", "loss.svg", "report.html"]);
    for (const name of ["data", "fit", "loss"]) {
      const svg = readFileSync(join(out, `${name}.svg`), "utf8");
      // resvg parses the SVG (it throws on malformed XML) and renders it at its own size.
      const parsed = new Resvg(svg, { font: { loadSystemFonts: false } });
      const size = svgSize(svg);
      assert.equal(parsed.width, size.width);
      assert.equal(parsed.height, size.height);
      assert.deepEqual(decodePngSize(readFileSync(join(out, `${name}.png`))), { width: 2 * size.width, height: 2 * size.height });
    }
    const fitSvg = readFileSync(join(out, "fit.svg"), "utf8");
    assert.match(fitSvg, />x1<\/text>/);
    assert.match(fitSvg, />y<\/text>/);
    for (const p of PROGRAMS) assert.ok(fitSvg.includes(`>${p.name}</text>`), `legend entry ${p.name}`);
    assert.ok(fitSvg.includes(">least squares</text>"));
    const lossSvg = readFileSync(join(out, "loss.svg"), "utf8");
    assert.match(lossSvg, />loss<\/text>/);
    assert.match(lossSvg, />epoch<\/text>/);

    const html = readFileSync(join(out, "report.html"), "utf8");
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<table id="summary-table">/);
    assert.match(html, /<table id="differences-table">/);
    assert.equal((html.match(/<img src="data:image\/svg\+xml;base64,/g) ?? []).length, 4);
    for (const p of PROGRAMS) assert.ok(html.includes(`id="program-${p.id}"`), p.id);
    // Self-contained: nothing is loaded from elsewhere.
    assert.doesNotMatch(html, /(?:src|href)="(?:https?:)?\/\//);
    assert.doesNotMatch(html, /<script|<link/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("the PyTorch programs print PyTorch 1.13's losses with the article's epochs", () => {
  const out = tempDir();
  try {
    const r = runCli("--only", "torch-raw,torch-layers", "--no-plots", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(ORACLE.epochs, 100);
    assert.equal(ORACLE.learning_rate, 0.01);
    const s = sections(r.stdout);
    for (const [id, ref] of [["torch-raw", ORACLE.raw], ["torch-layers", ORACLE.layers]] as const) {
      const lines = s.get(id)!;
      const printed = epochLosses(lines);
      assert.deepEqual(printed.map((e) => e[0]), ref.log_every_20.map((e) => e[0]), `${id}: epochs printed`);
      for (const [i, [epoch, loss]] of printed.entries()) {
        const want = ref.log_every_20[i]![1];
        assert.ok(Math.abs(loss - want) <= 1e-5 * Math.abs(want), `${id} epoch ${epoch}: loss ${loss} vs PyTorch ${want}`);
      }
      const { w, b } = finalLine(lines);
      closeTo(w, ref.final_w[0]!, `${id} final w`);
      closeTo(b, ref.final_b[0]!, `${id} final b`);
    }
    assert.deepEqual(readdirSync(out), ["report.html"]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("the broadcasting pitfall: shapes, the warning and the consequence", () => {
  const out = tempDir();
  try {
    const r = runCli("--only", "pitfall,torch-raw", "--no-plots", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    const lines = sections(r.stdout).get("pitfall")!;
    const text = lines.join("\n");
    const shape = (v: number[]) => `\\[${v.join(", ")}\\]`;
    const p = ORACLE.broadcast_pitfall;
    assert.match(text, new RegExp(`yPred ${shape(p.pred_shape)} - labels ${shape(p.labels_shape)} broadcasts to ${shape(p.diff_shape)}`));
    assert.match(
      text,
      /UserWarning: mse_loss: Using a target size \(\[200\]\) that is different to the input size \(\[200, 1\]\)\. This will likely lead to incorrect results due to broadcasting\./,
    );
    const { w, b } = finalLine(lines);
    assert.ok(Math.abs(w) < 0.005, `w is driven to 0, got ${w}`);
    const meanY = 0.28403481278568504;
    assert.ok(Math.abs(b - meanY) < Math.abs(0.0536 - meanY), `b moves from its start towards mean(y), got ${b}`);
    assert.match(text, /correct program: 0\.09672/);
    const html = readFileSync(join(out, "report.html"), "utf8");
    assert.match(html, /<section id="pitfall">/);
    assert.match(html, /UserWarning: mse_loss: Using a target size/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("--quiet prints the summary and the files, no epochs", () => {
  const out = tempDir();
  try {
    const r = runCli("--quiet", "--epochs", "2", "--no-plots", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /Epoch/);
    assert.match(r.stdout, /== Summary/);
    assert.match(r.stdout, /report\.html/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("the report's sources exist for every program", () => {
  for (const p of PROGRAMS) assert.ok(existsSync(fileURLToPath(new URL(`../../src/article/programs/${p.file}`, import.meta.url))), p.file);
});
