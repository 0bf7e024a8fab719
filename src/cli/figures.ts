/**
 * The demo's figures: the samples, the fitted lines and the loss curves, as Vega-Lite specs
 * rendered by src/plot to SVG and PNG.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { dataSpec, fitSpec, lossSpec, renderSvg, svgToPng, type FitLine } from "../plot/index.js";
import type { ArticleRun } from "./article.js";

/** The legend name of the least-squares line (the plot module has a fixed color for it). */
export const LEAST_SQUARES_NAME = "least squares";

/** Names of the figures the demo writes, in the order the report shows them. */
export const FIGURE_NAMES = ["data", "fit", "loss"] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];

/** One rendered figure: its SVG text and, once written, where its files are. */
export interface Figure {
  name: FigureName | "pitfall";
  title: string;
  svg: string;
  files: string[];
  /** What a reader should know to read it, e.g. which lines hide others. */
  note?: string;
}

/** The fit figure's lines: one per program, then the dashed least-squares line. */
function fitLines(run: ArticleRun): FitLine[] {
  return [
    ...run.programs.map((p) => ({ name: p.spec.name, w: p.result.w, b: p.result.b })),
    { name: LEAST_SQUARES_NAME, w: run.leastSquares.w, b: run.leastSquares.b, dash: true },
  ];
}

/**
 * The lines of the fit figure hidden under lines drawn after them (solid lines first, then the
 * dashed least-squares line): two lines coincide when they are within 0.5% of the samples' y range
 * of each other at both ends of the x range.
 * @example hiddenLines(run) // [{ name: "tensorflow raw", under: ["pytorch raw"] }]
 */
export function hiddenLines(run: ArticleRun): { name: string; under: string[] }[] {
  const { x, y } = run.data;
  const xs = Array.from(x);
  const ys = Array.from(y);
  if (xs.length === 0) return [];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const tol = 0.005 * (Math.max(...ys) - Math.min(...ys));
  const drawn = fitLines(run);
  const close = (a: FitLine, b: FitLine) =>
    Math.abs(a.w * x0 + a.b - (b.w * x0 + b.b)) <= tol && Math.abs(a.w * x1 + a.b - (b.w * x1 + b.b)) <= tol;
  const hidden: { name: string; under: string[] }[] = [];
  drawn.forEach((line, i) => {
    const under = drawn.slice(i + 1).filter((later) => close(line, later)).map((l) => l.name);
    if (under.length > 0) hidden.push({ name: line.name, under });
  });
  return hidden;
}

function fitNote(run: ArticleRun): string | undefined {
  const hidden = hiddenLines(run);
  if (hidden.length === 0) return undefined;
  return `Lines that coincide are drawn over each other: ${hidden.map((h) => `${h.name} lies under ${h.under.join(" and ")}`).join("; ")}.`;
}

/** The Vega-Lite specs of the three figures of a run. */
export function figureSpecs(run: ArticleRun): Record<FigureName, TopLevelSpec> {
  const { x, y } = run.data;
  const lines = fitLines(run);
  const loss = lossSpec(run.programs.map((p) => ({ name: p.spec.name, loss: p.result.losses })));
  const maeNames = run.programs.filter((p) => p.spec.loss === "mean absolute error").map((p) => p.spec.name);
  const subtitle =
    maeNames.length > 0
      ? `log scale; ${maeNames.join(", ")}: mean absolute error, the others: mean squared error`
      : "log scale; mean squared error";
  return {
    data: dataSpec(x, y, { title: `Samples (n = ${x.length})` }),
    fit: fitSpec(x, y, lines, { title: "Fitted lines" }),
    loss: { ...loss, title: { text: "Training loss per epoch", subtitle } } as TopLevelSpec,
  };
}

/** The pitfall's figure for the report: the correct fit beside the broadcast one. */
export function pitfallSpec(run: ArticleRun): TopLevelSpec | undefined {
  const pitfall = run.pitfall;
  if (pitfall === undefined) return undefined;
  const lines: FitLine[] = [];
  const correct = run.programs.find((p) => p.spec.id === "torch-raw");
  if (correct !== undefined) lines.push({ name: correct.spec.name, w: correct.result.w, b: correct.result.b });
  lines.push({ name: pitfall.name, w: pitfall.result.w, b: pitfall.result.b });
  lines.push({ name: LEAST_SQUARES_NAME, w: run.leastSquares.w, b: run.leastSquares.b, dash: true });
  return fitSpec(run.data.x, run.data.y, lines, { title: "The broadcasting pitfall" });
}

/**
 * Renders the three figures and writes `<name>.svg` and `<name>.png` into `outDir`
 * (PNG at twice the SVG's size). Returns them with their SVG text for the report.
 */
export async function writeFigures(run: ArticleRun, outDir: string): Promise<Figure[]> {
  const specs = figureSpecs(run);
  const titles: Record<FigureName, string> = {
    data: "The samples",
    fit: "The fitted line of every program",
    loss: "Training loss per epoch",
  };
  const figures: Figure[] = [];
  for (const name of FIGURE_NAMES) {
    const svg = await renderSvg(specs[name]);
    const files = [join(outDir, `${name}.svg`), join(outDir, `${name}.png`)];
    writeFileSync(files[0]!, svg);
    writeFileSync(files[1]!, svgToPng(svg));
    figures.push({ name, title: titles[name], svg, files, note: name === "fit" ? fitNote(run) : undefined });
  }
  return figures;
}

/** The pitfall figure as SVG text (not written as a file; the report inlines it). */
export async function renderPitfallFigure(run: ArticleRun): Promise<Figure | undefined> {
  const spec = pitfallSpec(run);
  if (spec === undefined) return undefined;
  return { name: "pitfall", title: "The broadcasting pitfall", svg: await renderSvg(spec), files: [] };
}
