/**
 * Node-side rendering of Vega-Lite specs to SVG (headless Vega) and PNG
 * (resvg), using only the DejaVu Sans font shipped in node_modules so output
 * is the same on a machine with no system fonts and no network.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { FONT_FAMILY } from "./specs.js";

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Pixels per SVG unit (default 2, for crisp figures on high-density screens). */
  scale?: number;
}

/** Paths of the files {@link writeFigure} wrote. */
export interface FigurePaths {
  svg: string;
  png: string;
}

const DEFAULT_SCALE = 2;

// The figures are built from inline data; a loader that refuses every URI
// guarantees a spec can never make Vega fetch anything at render time. Vega
// swallows loader errors and draws without the data, so refusals are recorded
// and reported by renderSvg instead of yielding a silently empty figure.
function offlineLoader(refused: string[]): vega.Loader {
  const refuse = (uri: string) => {
    refused.push(uri);
    return Promise.reject(new Error(`rendering is offline; refusing to load ${uri}`));
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

let fontFilesCache: string[] | undefined;

/** Regular and bold DejaVu Sans (titles are bold), resolved inside the installed npm package. */
function fontFiles(): string[] {
  if (fontFilesCache === undefined) {
    const pkg = createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json");
    const ttf = join(dirname(pkg), "ttf");
    fontFilesCache = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"].map((f) => join(ttf, f));
  }
  return fontFilesCache;
}

/**
 * Renders a Vega-Lite spec to an SVG string, headless. The font defaults to
 * DejaVu Sans (a spec's own `config.font` still wins). Rejects if the spec
 * refers to data or images by URL: nothing is fetched.
 * @example const svg = await renderSvg(dataSpec(x, y));
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vgSpec = compile(spec, { config: { font: FONT_FAMILY } }).spec;
  const refused: string[] = [];
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none", loader: offlineLoader(refused) });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) throw new Error(`figure needs external resources (inline the data instead): ${refused.join(", ")}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * Rasterizes an SVG to PNG bytes with resvg, loading no system fonts: text is
 * set in the bundled DejaVu Sans. The PNG is the SVG's size times `scale`.
 * @example const png = svgToPng(svg, { scale: 2 });
 */
export function svgToPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const scale = opts.scale ?? DEFAULT_SCALE;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`scale must be a positive number, got ${scale}`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: {
      loadSystemFonts: false,
      fontFiles: fontFiles(),
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    logLevel: "off",
  });
  return resvg.render().asPng();
}

/**
 * Renders a spec and writes `<dir>/<baseName>.svg` and `<dir>/<baseName>.png`
 * (creating `dir` if needed).
 * @example const { svg, png } = await writeFigure(lossSpec(series), "figures", "loss");
 */
export async function writeFigure(
  spec: TopLevelSpec,
  dir: string,
  baseName: string,
  opts: PngOptions = {},
): Promise<FigurePaths> {
  const svg = await renderSvg(spec);
  const png = svgToPng(svg, opts);
  mkdirSync(dir, { recursive: true });
  const paths = { svg: join(dir, `${baseName}.svg`), png: join(dir, `${baseName}.png`) };
  writeFileSync(paths.svg, svg);
  writeFileSync(paths.png, png);
  return paths;
}
