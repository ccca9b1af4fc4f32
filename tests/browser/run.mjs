// Runs fetch() cases in the system Chromium and prints what script could read, as JSON.
//
//   node run.mjs CASES.json
//
// CASES.json: [{ "page": "http://127.0.0.1:P/", "url": "...", "init": {...},
//               "read": ["x-handler"] }, ...]. Each case runs in a page of its `page`
// origin; the result is { ok: true, status, headers: {name: value|null}, body } when the
// script can read the response, or { ok: false, error } when fetch() rejects (a CORS or
// network failure: the browser tells script nothing more).
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Closed network: no background traffic, no component updates.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const results = [];
try {
  // One context per case: no preflight cache or cookies shared between cases.
  for (const c of cases) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(c.page);
    const result = await page.evaluate(async (c) => {
      try {
        const response = await fetch(c.url, c.init);
        const headers = {};
        for (const name of c.read || []) headers[name] = response.headers.get(name);
        return { ok: true, status: response.status, headers, body: await response.text() };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    }, c);
    results.push(result);
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results) + "\n");
