// report.html in a real browser: headless Chromium (Debian's package) driven by playwright-core.
// The page must load with no console errors and no request leaving the file, every figure must be
// decoded and visible, and the tables and listings must be there. Skipped when no browser is
// installed (`apt-get install chromium`; .ci/run installs it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM} (install Debian's chromium package to run this test)`;
if (skip) console.log(`# report_browser: skipped: ${skip}`);

test("report.html in headless Chromium: no errors, figures visible, tables present", { skip, timeout: 300_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), "duograd-report-"));
  const out = join(root, "out");
  const profile = join(root, "profile");
  try {
    const r = spawnSync(process.execPath, [MAIN, "article", "--epochs", "3", "--quiet", "--out", out], {
      encoding: "utf8",
      timeout: 240_000,
    });
    assert.equal(r.status, 0, r.stderr);

    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      const external: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
      });
      page.on("pageerror", (err) => errors.push(`page: ${err.message}`));
      page.on("requestfailed", (req) => errors.push(`request failed: ${req.url()}`));
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
        external.push(url);
        return route.abort();
      });
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.goto(pathToFileURL(join(out, "report.html")).href, { waitUntil: "load" });

      const images = await page.evaluate(async () => {
        const imgs = Array.from(document.images);
        await Promise.all(imgs.map((img) => img.decode().catch(() => undefined)));
        return imgs.map((img) => {
          img.scrollIntoView();
          const rect = img.getBoundingClientRect();
          const style = getComputedStyle(img);
          return {
            id: img.closest("figure")?.id ?? "",
            complete: img.complete,
            naturalWidth: img.naturalWidth,
            naturalHeight: img.naturalHeight,
            width: rect.width,
            height: rect.height,
            shown: style.display !== "none" && style.visibility !== "hidden" && Number(style.opacity) > 0,
          };
        });
      });
      assert.deepEqual(images.map((i) => i.id).sort(), ["fig-data", "fig-fit", "fig-loss", "fig-pitfall"]);
      for (const img of images) {
        assert.ok(img.complete && img.naturalWidth > 0 && img.naturalHeight > 0, `${img.id} loaded: ${JSON.stringify(img)}`);
        assert.ok(img.width > 100 && img.height > 100 && img.shown, `${img.id} visible: ${JSON.stringify(img)}`);
      }

      const dom = await page.evaluate(() => {
        const rows = (sel: string) => document.querySelectorAll(`${sel} tbody tr`).length;
        const links = Array.from(document.querySelectorAll<HTMLAnchorElement>("#differences-table a.lineref"));
        return {
          summaryRows: rows("#summary-table"),
          differenceRows: rows("#differences-table"),
          pitfallRows: rows("#pitfall-table"),
          listings: document.querySelectorAll("pre.code").length,
          lineLinks: links.length,
          brokenLinks: links.filter((a) => document.getElementById(a.hash.slice(1)) === null).map((a) => a.hash),
          title: document.title,
        };
      });
      assert.equal(dom.summaryRows, 7, "5 programs, the pitfall and least squares");
      assert.equal(dom.differenceRows, 8);
      assert.equal(dom.pitfallRows, 2);
      assert.equal(dom.listings, 6, "5 programs and the pitfall");
      assert.ok(dom.lineLinks >= 16, `links to program lines: ${dom.lineLinks}`);
      assert.deepEqual(dom.brokenLinks, []);
      assert.match(dom.title, /Two Frameworks/);

      // Following a link scrolls to the line it names.
      const first = page.locator("#differences-table a.lineref").first();
      const hash = (await first.getAttribute("href"))!;
      await first.click();
      assert.ok(await page.locator(hash).isVisible());

      assert.deepEqual(errors, []);
      assert.deepEqual(external, []);
    } finally {
      await context.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
