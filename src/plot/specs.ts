/**
 * Vega-Lite specs for the figures of the line-fitting demo: the samples, the
 * fitted lines and the loss curves. Inputs are plain numbers so the figures do
 * not depend on the tensor library.
 */
import type { TopLevelSpec } from "vega-lite";

/** The one font family the figures use; the PNG rasterizer loads exactly this font. */
export const FONT_FAMILY = "DejaVu Sans";

/** Size and title overrides shared by the three figure builders. */
export interface FigureOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** One fitted line y = w·x + b; `dash` draws it dashed (e.g. the least-squares reference). */
export interface FitLine {
  name: string;
  w: number;
  b: number;
  dash?: boolean;
}

/** The loss of one program, one value per epoch (epoch 1 first). */
export interface LossSeries {
  name: string;
  loss: number[];
}

const WIDTH = 560;
const HEIGHT = 360;
const SAMPLE_COLOR = "#4c78a8";

// Fixed colors for the demo's programs so a program looks the same in every
// figure: warm hues for TensorFlow, cool hues for PyTorch.
const PROGRAM_COLORS: Readonly<Record<string, string>> = {
  "tensorflow raw": "#e8590c",
  "tensorflow fit": "#e6a700",
  "tensorflow train loop": "#c2255c",
  "pytorch raw": "#1c7ed6",
  pytorch: "#0ca678",
  "least squares": "#343a40",
};

// Other names get a color from this palette by a hash of the name (not by
// position) so the same name keeps its color across figures.
const FALLBACK_COLORS = ["#7048e8", "#5c940d", "#9c36b5", "#1098ad", "#d9480f", "#862e9c", "#495057", "#a61e4d"];

/**
 * The color a program is drawn with in every figure.
 * @example programColor("pytorch") // "#0ca678"
 */
export function programColor(name: string): string {
  const fixed = PROGRAM_COLORS[name];
  if (fixed !== undefined) return fixed;
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return FALLBACK_COLORS[h % FALLBACK_COLORS.length]!;
}

// Text styling shared by all figures. The font is set here (and again as a
// default by the renderer) because the PNG rasterizer only has DejaVu Sans.
const CONFIG = {
  font: FONT_FAMILY,
  background: "white",
  title: { fontSize: 15, anchor: "start", offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titlePadding: 8, gridColor: "#e9ecef" },
  // Vega measures text headless by estimate (0.8 em per char), which would
  // truncate long program names at the default 160 px limit.
  // symbolSize 400 makes line symbols 20 px long so a dashed line reads as dashed.
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400, symbolStrokeWidth: 2.5, symbolSize: 400 },
  view: { stroke: "#ced4da" },
} as const;

/** What every figure starts with: the schema, title, size and text styling. */
function frame(opts: FigureOptions, title: string) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: opts.title ?? title,
    width: opts.width ?? WIDTH,
    height: opts.height ?? HEIGHT,
    config: CONFIG,
  };
}

// The x and y channels of the sample and line layers.
const XY_ENCODING = {
  x: { field: "x", type: "quantitative", title: "x1" },
  y: { field: "y", type: "quantitative", title: "y" },
} as const;

/** Pairs (x[i], y[i]) as rows, skipping points that cannot be drawn. */
function sampleRows(x: ArrayLike<number>, y: ArrayLike<number>): { x: number; y: number }[] {
  if (x.length !== y.length) throw new Error(`x and y differ in length: ${x.length} vs ${y.length}`);
  const rows: { x: number; y: number }[] = [];
  for (let i = 0; i < x.length; i++) {
    const xi = Number(x[i]);
    const yi = Number(y[i]);
    if (Number.isFinite(xi) && Number.isFinite(yi)) rows.push({ x: xi, y: yi });
  }
  return rows;
}

/** Color scale fixing each name's color; the domain order is the legend order. */
function colorScale(names: string[]) {
  return { domain: names, range: names.map(programColor) };
}

function uniqueNames(items: { name: string }[]): string[] {
  return [...new Set(items.map((s) => s.name))];
}

/**
 * Scatter plot of the samples, axes titled `x1` and `y`.
 * @example const spec = dataSpec([-1, 0, 1], [0.9, 2.1, 2.8]);
 */
export function dataSpec(x: ArrayLike<number>, y: ArrayLike<number>, opts: FigureOptions = {}): TopLevelSpec {
  return {
    ...frame(opts, "Samples"),
    data: { values: sampleRows(x, y) },
    mark: { type: "circle", size: 30, opacity: 0.7, color: SAMPLE_COLOR },
    encoding: { ...XY_ENCODING },
  };
}

/**
 * The samples with one fitted line per program drawn over the samples' x range,
 * with a legend of the programs; lines with `dash: true` are dashed.
 * @example
 * const spec = fitSpec(x, y, [
 *   { name: "pytorch", w: 2.01, b: 0.98 },
 *   { name: "least squares", w: 2, b: 1, dash: true },
 * ]);
 */
export function fitSpec(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  lines: FitLine[],
  opts: FigureOptions = {},
): TopLevelSpec {
  const samples = sampleRows(x, y);
  const xs = samples.map((s) => s.x);
  // The data's x range; a fallback keeps lines drawable when there are no samples.
  const x0 = xs.length > 0 ? Math.min(...xs) : -1;
  const x1 = xs.length > 0 ? Math.max(...xs) : 1;
  // Dashed lines last so the solid line under them shows through the gaps
  // (Vega draws the line groups in data order).
  const ordered = [...lines.filter((l) => !l.dash), ...lines.filter((l) => l.dash)];
  const segments = ordered.flatMap((l) =>
    [x0, x1].map((xv) => ({ program: l.name, x: xv, y: l.w * xv + l.b })),
  );
  const names = uniqueNames(lines);
  const dashed = new Set(lines.filter((l) => l.dash).map((l) => l.name));
  // Color and dash encode the same field with the same title, so Vega-Lite
  // merges them into one legend whose symbols show the dash too.
  const legendTitle = "program";
  return {
    ...frame(opts, "Fitted lines"),
    layer: [
      {
        data: { values: samples },
        mark: { type: "circle", size: 24, opacity: 0.45, color: "#868e96" },
        encoding: { ...XY_ENCODING },
      },
      {
        data: { values: segments },
        mark: { type: "line", strokeWidth: 2.5, clip: true },
        encoding: {
          ...XY_ENCODING,
          color: { field: "program", type: "nominal", title: legendTitle, scale: colorScale(names), sort: names },
          strokeDash: {
            field: "program",
            type: "nominal",
            title: legendTitle,
            sort: names,
            scale: { domain: names, range: names.map((n) => (dashed.has(n) ? [6, 3] : [1, 0])) },
          },
        },
      },
    ],
  };
}

/**
 * Loss per epoch of every program on a log y axis, with a legend. Series may
 * differ in length; non-positive or non-finite losses are dropped because a
 * log scale cannot place them.
 * @example
 * const spec = lossSpec([
 *   { name: "pytorch", loss: [40, 12, 3.1] },
 *   { name: "tensorflow fit", loss: [38, 11, 2.9, 1.2] },
 * ]);
 */
export function lossSpec(series: LossSeries[], opts: FigureOptions = {}): TopLevelSpec {
  const rows = series.flatMap((s) =>
    s.loss
      .map((loss, i) => ({ program: s.name, epoch: i + 1, loss }))
      .filter((r) => Number.isFinite(r.loss) && r.loss > 0),
  );
  const names = uniqueNames(series);
  return {
    ...frame(opts, "Training loss"),
    data: { values: rows },
    mark: { type: "line", strokeWidth: 2 },
    encoding: {
      // Few ticks: headless Vega overestimates label widths and would hide every other label.
      x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickCount: 6 } },
      y: {
        field: "loss",
        type: "quantitative",
        title: "loss",
        scale: { type: "log" },
        // "~g" keeps decade labels short (0.1, 1, 10, 1e+3) instead of "1.0e+0".
        axis: { format: "~g" },
      },
      color: { field: "program", type: "nominal", title: "program", scale: colorScale(names), sort: names },
    },
  };
}
