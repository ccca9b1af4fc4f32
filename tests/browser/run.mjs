// Runs fetch() cases in the system Chromium and prints what script could read, as JSON.
//
//   node run.mjs CASES.json
//
// CASES.json: [{ "page": "http://127.0.0.1:P/", "url": "...", "init": {...},
//               "read": ["x-handler"], "repeat": 2 }, ...]. Each case runs in a page of
// its `page` origin, `repeat` times (default once); the result (of the last fetch) is
// { ok: true, status, headers: {name: value|null}, body, preflights } when the script can
// read the response, or { ok: false, error, preflights } when fetch() rejects (a CORS or
// network failure: the browser tells script nothing more). `preflights` counts the
// preflights Chromium sent (seen through the DevTools protocol), so caching shows.
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
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    let preflights = 0;
    cdp.on("Network.requestWillBeSent", (e) => {
      if (e.request.method === "OPTIONS" && e.request.url === c.url) preflights += 1;
    });
    await page.goto(c.page);
    let result;
    for (let i = 0; i < (c.repeat || 1); i++) {
      result = await page.evaluate(async (c) => {
        try {
          const response = await fetch(c.url, c.init);
          const headers = {};
          for (const name of c.read || []) headers[name] = response.headers.get(name);
          return { ok: true, status: response.status, headers, body: await response.text() };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      }, c);
    }
    // Let the last protocol events arrive.
    await page.waitForTimeout(50);
    result.preflights = preflights;
    results.push(result);
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results) + "\n");
