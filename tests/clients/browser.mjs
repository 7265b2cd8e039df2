#!/usr/bin/env node
// browser.mjs - opens page.html in headless Chromium (Debian's, never a
// downloaded one) through playwright-core, runs its calls and reports what
// the page shows, for the integration tests.
//
// Reads one JSON object on standard input:
//   {"pageUrl": "http://127.0.0.1:PORT/page.html",  the page, on its own origin
//    "userDataDir": "...",                          a fresh, empty profile directory
//    "screenshot": ".../browser.png",               where to keep a screenshot
//    "settings": {...}}                             page.mjs's run() settings
// and prints one JSON line:
//   {"origin": "http://127.0.0.1:PORT", "status": "done",
//    "results": [{"call": "rest", "ok": true, "length": 64, "text": "..."}, ...],
//    "console": ["..."], "failed": [{"method": "OPTIONS", "url": "...", "error": "..."}]}
// results are read back from the page's DOM.  When SECRET_FD names an open
// descriptor, each secret goes there as "call secret\n"; never to stdout.
import { writeSync } from "node:fs";

import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// As root, with no network but loopback: no sandbox, no GPU, and none of the
// background connections Chromium would make to Google's hosts.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString());
}

async function main() {
  const cfg = await readStdin();
  const secretFd = process.env.SECRET_FD === undefined ? -1 : Number(process.env.SECRET_FD);
  const context = await chromium.launchPersistentContext(cfg.userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 900, height: 400 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLines = [];
    const failed = [];
    page.on("console", (m) => consoleLines.push(m.text()));
    page.on("requestfailed", (r) =>
      failed.push({ method: r.method(), url: r.url(), error: r.failure()?.errorText ?? "" }),
    );
    await page.goto(cfg.pageUrl);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready");
    const secrets = await page.evaluate((s) => window.oidcSecretPage.run(s), cfg.settings);
    await page.screenshot({ path: cfg.screenshot });
    const results = await page.$$eval("#results li", (lis) =>
      lis.map((li) => ({
        call: li.dataset.call,
        ok: li.dataset.ok === "true",
        length: li.dataset.length === undefined ? null : Number(li.dataset.length),
        text: li.textContent,
      })),
    );
    const status = await page.textContent("#status");
    const origin = await page.evaluate(() => location.origin);
    if (secretFd >= 0)
      for (const [name, secret] of Object.entries(secrets)) writeSync(secretFd, `${name} ${secret}\n`);
    process.stdout.write(JSON.stringify({ origin, status, results, console: consoleLines, failed }) + "\n");
  } finally {
    await context.close();
  }
}

main().catch((e) => {
  process.stderr.write(`browser.mjs: ${e?.stack ?? e}\n`);
  process.exit(1);
});
