import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { Resvg } from "@resvg/resvg-js";
import type { TopLevelSpec } from "vega-lite";
import { dataSpec, fitSpec, lossSpec, programColor, renderSvg, svgToPng, writeFigure } from "../src/plot/index.js";
import type { FitLine } from "../src/plot/index.js";

const PROGRAMS = ["tensorflow raw", "pytorch raw", "tensorflow fit", "tensorflow train loop", "pytorch"];

/** Deterministic noisy samples of y = 2x + 1 over [-10, 10]. */
function samples(n = 40): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = -10 + (20 * i) / (n - 1);
    x.push(xi);
    y.push(2 * xi + 1 + 3 * Math.sin(7.3 * i));
  }
  return { x, y };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "duograd-plot-"));
}

// --- PNG parsing -------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

/** Checks the signature and reads the IHDR chunk, which must come first. */
function pngHeader(png: Uint8Array): PngHeader {
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE, "PNG signature");
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(dv.getUint32(8), 13, "IHDR length");
  assert.equal(Buffer.from(png.subarray(12, 16)).toString("latin1"), "IHDR");
  return { width: dv.getUint32(16), height: dv.getUint32(20), bitDepth: png[24]!, colorType: png[25]! };
}

/** Decodes an 8-bit RGBA, non-interlaced PNG (what resvg writes) to raw pixels. */
function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const h = pngHeader(png);
  assert.equal(h.bitDepth, 8);
  assert.equal(h.colorType, 6, "RGBA");
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const idat: Uint8Array[] = [];
  for (let off = 8; off < png.length; ) {
    const len = dv.getUint32(off);
    const type = Buffer.from(png.subarray(off + 4, off + 8)).toString("latin1");
    if (type === "IDAT") idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = 4;
  const stride = h.width * bpp;
  const out = new Uint8Array(stride * h.height);
  for (let row = 0; row < h.height; row++) {
    const filter = raw[row * (stride + 1)]!;
    const src = row * (stride + 1) + 1;
    const dst = row * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[dst + i - bpp]! : 0;
      const b = row > 0 ? out[dst - stride + i]! : 0;
      const c = row > 0 && i >= bpp ? out[dst - stride + i - bpp]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[dst + i] = (raw[src + i]! + pred) & 0xff;
    }
  }
  return { width: h.width, height: h.height, rgba: out };
}

/** Pixels darker than mid-grey within rows [y0, y1): text and axes, not the white background. */
function darkPixels(img: { width: number; rgba: Uint8Array }, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < img.width; x++) {
      const p = (y * img.width + x) * 4;
      if (img.rgba[p]! + img.rgba[p + 1]! + img.rgba[p + 2]! < 3 * 128) n++;
    }
  }
  return n;
}

// --- SVG inspection ----------------------------------------------------------

/** The root element's width and height attributes. */
function svgSize(svg: string): { width: number; height: number } {
  const root = /^<svg\b[^>]*>/.exec(svg);
  assert.ok(root, "document starts with <svg>");
  const w = /\swidth="([\d.]+)"/.exec(root[0]);
  const h = /\sheight="([\d.]+)"/.exec(root[0]);
  assert.ok(w && h, "root <svg> has width and height");
  return { width: Number(w[1]), height: Number(h[1]) };
}

/** Minimal well-formedness: one <svg> root, every tag closed in order. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)[^>]*?(\/?)>/g;
  for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
    const [, closing, name, selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `closing </${name}> matches its opening tag`);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  assert.equal(stack.length, 0, "all tags closed");
  assert.equal(roots, 1, "single root element");
  // resvg has a real XML parser and throws on malformed input.
  assert.doesNotThrow(() => new Resvg(svg));
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Contents of every <text> element. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]!));
}

/** Contents of the <text> elements of one Vega role, e.g. "axis-title" or "legend-label". */
function roleTexts(svg: string, role: string): string[] {
  const groups = svg.matchAll(new RegExp(`<g class="mark-text role-${role}"[^>]*>(.*?)</g>`, "g"));
  return [...groups].flatMap((g) => texts(g[1]!));
}

/** The line marks: program (from the aria label), stroke, dash and first/last x. */
function linePaths(svg: string): { program: string; stroke: string; dash: string; x0: number; x1: number }[] {
  const paths = svg.matchAll(/<g class="mark-line role-mark[^>]*>(<path [^>]*>)<\/g>/g);
  return [...paths].map((m) => {
    const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(m[1]!)?.[1] ?? "";
    const xs = [...attr("d").matchAll(/[ML]([-\d.]+),/g)].map((c) => Number(c[1]));
    return {
      program: /program: ([^";]*)/.exec(attr("aria-label"))?.[1] ?? "",
      stroke: attr("stroke"),
      dash: attr("stroke-dasharray"),
      x0: xs[0]!,
      x1: xs.at(-1)!,
    };
  });
}

/** Axis labels grouped per axis: their text and translate(x, y) position. */
function axisLabelGroups(svg: string): { text: string; x: number; y: number }[][] {
  return [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/g)].map((g) =>
    [...g[1]!.matchAll(/<text\b[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({
      text: unescapeXml(m[3]!),
      x: Number(m[1]),
      y: Number(m[2]),
    })),
  );
}

/** Writes the figure and checks the files, PNG header and SVG shared by all figures. */
async function checkFigure(spec: TopLevelSpec, base: string, scale?: number): Promise<string> {
  const dir = tempDir();
  try {
    const paths = await writeFigure(spec, dir, base, scale === undefined ? {} : { scale });
    assert.equal(paths.svg, join(dir, `${base}.svg`));
    assert.equal(paths.png, join(dir, `${base}.png`));
    assert.ok(existsSync(paths.svg) && existsSync(paths.png));
    const svg = readFileSync(paths.svg, "utf8");
    assertWellFormed(svg);
    const size = svgSize(svg);
    const png = pngHeader(new Uint8Array(readFileSync(paths.png)));
    const s = scale ?? 2; // writeFigure's default scale
    assert.equal(png.width, Math.round(size.width * s), "PNG width = SVG width × scale");
    assert.equal(png.height, Math.round(size.height * s), "PNG height = SVG height × scale");
    // Text must be set in the font the rasterizer has.
    assert.match(svg, /font-family="DejaVu Sans"/);
    assert.doesNotMatch(svg, /font-family="(?!DejaVu Sans")/, "no other font family");
    return svg;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- tests -------------------------------------------------------------------

test("data figure: scatter with axes x1 and y", async () => {
  const { x, y } = samples();
  const spec = dataSpec(Float64Array.from(x), y);
  const svg = await checkFigure(spec, "data");
  assert.deepEqual(roleTexts(svg, "axis-title").sort(), ["x1", "y"]);
  assert.deepEqual(roleTexts(svg, "title-text"), ["Samples"]);
  // One circle per sample.
  const symbols = /<g class="mark-symbol role-mark[^>]*>(.*?)<\/g>/.exec(svg);
  assert.equal(symbols?.[1]!.match(/<path /g)?.length, x.length);
  // The x axis reaches both ends of [-10, 10].
  const labels = axisLabelGroups(svg).flat().map((l) => l.text);
  assert.ok(labels.includes("−10") || labels.includes("-10"));
  assert.ok(labels.includes("10"));
});

test("data figure rejects x and y of different lengths", () => {
  assert.throws(() => dataSpec([1, 2, 3], [1, 2]), /length/);
});

test("fit figure: a line and legend entry per program, dashed least squares", async () => {
  const { x, y } = samples();
  const lines: FitLine[] = [
    ...PROGRAMS.map((name, i) => ({ name, w: 2 + 0.05 * (i - 2), b: 1 + 0.2 * (i - 2) })),
    { name: "least squares", w: 2, b: 1, dash: true },
  ];
  const svg = await checkFigure(fitSpec(x, y, lines), "fit");
  // One legend (color and dash merged) naming every program in the given order.
  assert.deepEqual(roleTexts(svg, "legend-label"), lines.map((l) => l.name));
  assert.deepEqual(roleTexts(svg, "legend-title"), ["program"]);
  assert.deepEqual(roleTexts(svg, "axis-title").sort(), ["x1", "y"]);
  // Each line is its own path in its program's color spanning the plot's width
  // (the samples cover [-10, 10], the whole x axis); only least squares is dashed.
  const drawn = linePaths(svg);
  assert.equal(drawn.length, lines.length);
  for (const l of lines) {
    const p = drawn.find((d) => d.program === l.name);
    assert.ok(p, `line for ${l.name}`);
    assert.equal(p.stroke, programColor(l.name), `${l.name} in its color`);
    assert.equal(p.dash !== "1,0", l.dash === true, `${l.name} dashed iff requested`);
    assert.ok(Math.abs(p.x0) < 1 && Math.abs(p.x1 - 560) < 1, `${l.name} spans the x range`);
  }
  // Dashed lines are drawn last, on top of the solid ones.
  assert.equal(drawn.at(-1)!.program, "least squares");
  // Distinct programs get distinct colors.
  assert.equal(new Set(lines.map((l) => programColor(l.name))).size, lines.length);
});

test("loss figure: series of different lengths on a log y scale", async () => {
  const series = PROGRAMS.map((name, i) => {
    const epochs = i % 2 === 0 ? 100 : 300;
    return { name, loss: Array.from({ length: epochs }, (_, e) => 2 + 500 * Math.exp(-(0.04 + 0.01 * i) * e)) };
  });
  // A non-positive value cannot sit on a log scale; it is dropped, not an error.
  series[0]!.loss[50] = 0;
  const spec = lossSpec(series);
  const enc = (spec as { encoding: { y: { scale?: { type?: string } } } }).encoding;
  assert.equal(enc.y.scale?.type, "log", "spec's y scale is log");
  const values = (spec as { data: { values: { program: string; epoch: number }[] } }).data.values;
  assert.equal(values.filter((r) => r.program === "tensorflow raw").length, 99);
  assert.equal(Math.max(...values.filter((r) => r.program === "pytorch raw").map((r) => r.epoch)), 300);

  const svg = await checkFigure(spec, "loss", 1);
  assert.deepEqual(roleTexts(svg, "legend-label"), PROGRAMS);
  assert.deepEqual(roleTexts(svg, "axis-title").sort(), ["epoch", "loss"]);
  assert.equal(linePaths(svg).length, PROGRAMS.length);

  // The y axis labels span decades, and decades are equally spaced on screen.
  const groups = axisLabelGroups(svg);
  // The vertical axis is the one whose labels share one x.
  const yAxis = groups.find((g) => g.length > 1 && g.every((l) => l.x === g[0]!.x));
  assert.ok(yAxis, "a vertical axis");
  const at = (v: string) => yAxis.find((l) => l.text === v)?.y;
  const y1 = at("1");
  const y10 = at("10");
  const y100 = at("100");
  assert.ok(y1 !== undefined && y10 !== undefined && y100 !== undefined, "labels 1, 10 and 100");
  assert.ok(Math.abs(y1 - y10 - (y10 - y100)) < 1, "log scale: equal pixel distance per decade");
  // The x axis reaches the longest series.
  assert.ok(groups.some((g) => g.some((l) => l.text === "300")), "x axis reaches epoch 300");
});

test("text renders in the PNG with the bundled font", async () => {
  const spec = dataSpec([-10, 10], [0, 0], { title: "WWWWWWWWWW" });
  const svg = await renderSvg(spec);
  // Same picture with every text emptied: differences are the glyphs alone.
  const bare = svg.replace(/(<text\b[^>]*>)[^<]*(<\/text>)/g, "$1$2");
  const scale = 2;
  const withText = decodePng(svgToPng(svg, { scale }));
  const withoutText = decodePng(svgToPng(bare, { scale }));
  assert.equal(withText.width, withoutText.width);
  // The title sits above the plot area (top ~25 SVG units); only its glyphs are dark there.
  const titleRows = 22 * scale;
  assert.equal(darkPixels(withoutText, 0, titleRows), 0, "blank title area without text");
  assert.ok(darkPixels(withText, 0, titleRows) > 200, "title glyphs drawn");
  // Background is opaque white, not transparent.
  assert.deepEqual([...withText.rgba.subarray(0, 4)], [255, 255, 255, 255]);
});

test("colors are consistent per program across figures", async () => {
  const { x, y } = samples(10);
  const fit = await renderSvg(fitSpec(x, y, [{ name: "pytorch", w: 2, b: 1 }, { name: "my program", w: 1, b: 0 }]));
  const loss = await renderSvg(lossSpec([{ name: "my program", loss: [3, 2, 1] }, { name: "pytorch", loss: [4, 2] }]));
  for (const name of ["pytorch", "my program"]) {
    const c = programColor(name);
    assert.match(fit, new RegExp(`stroke="${c}"`));
    assert.match(loss, new RegExp(`stroke="${c}"`));
  }
  assert.equal(programColor("my program"), programColor("my program"));
});

test("renderSvg fetches nothing: a spec with a data URL is rejected", async () => {
  const spec: TopLevelSpec = {
    data: { url: "https://example.com/data.json" },
    mark: "point",
    encoding: { x: { field: "a", type: "quantitative" } },
  };
  await assert.rejects(renderSvg(spec), /external resources/);
});

test("svgToPng scales the output and rejects a bad scale", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="white"/></svg>';
  const one = pngHeader(svgToPng(svg, { scale: 1 }));
  const three = pngHeader(svgToPng(svg, { scale: 3 }));
  assert.deepEqual([one.width, one.height], [40, 30]);
  assert.deepEqual([three.width, three.height], [120, 90]);
  assert.throws(() => svgToPng(svg, { scale: 0 }), /scale/);
});
