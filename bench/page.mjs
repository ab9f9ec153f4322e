// Loads each page variant in headless Chromium and reports load-event time and LCP.
// Usage: node page.mjs '<json config>'   (printed result: one JSON object on stdout)
// Config: {chromium, site, variants: {name: path}, clientRuns, withoutRum, settle,
//          profiles: [{name, latency, down, up, runs, warmup, prefix}]}.
// Every page gets a fresh incognito context with the cache disabled, so each load fetches
// everything (a first visit). After the measurement each page with RUM waits for its client to run
// (clientRuns, at most 15 s; when it started is reported too), then leaves, so the client's page-hide
// flush sends what it recorded. Only 127.0.0.1 is contacted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const config = JSON.parse(process.argv[2]);
const userDataDir = mkdtempSync(join(tmpdir(), 'rumcfn-bench-chromium-'));
const browser = await puppeteer.launch({
  executablePath: config.chromium,
  headless: true,
  userDataDir,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-extensions', '--window-size=1280,800'],
});

// Runs before any page script: records LCP candidates as they come, and when a client starts running: the
// second value the snippet's window.cwr gets (the first is the loader's queue; the client then replaces it),
// or the bundled module's client reaching window.__rum.
const OBSERVE = () => {
  window.__lcp = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__lcp = entry.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  window.__clientAt = null;
  let cwr, rum, sets = 0;
  Object.defineProperty(window, 'cwr', { configurable: true, get: () => cwr, set: (value) => {
    cwr = value;
    if (++sets === 2) window.__clientAt = performance.now();
  } });
  Object.defineProperty(window, '__rum', { configurable: true, get: () => rum, set: (value) => {
    rum = value;
    window.__clientAt = performance.now();
  } });
};

async function load(url, profile, withRum) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.setCacheEnabled(false);
    if (profile.latency || profile.down) {
      const cdp = await page.createCDPSession();
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: profile.latency, downloadThroughput: profile.down, uploadThroughput: profile.up,
      });
    }
    await page.evaluateOnNewDocument(OBSERVE);
    await page.goto(url, { waitUntil: 'load', timeout: 60000 });
    await new Promise((resolve) => setTimeout(resolve, config.settle ?? 300));
    const sample = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        load: nav.loadEventStart, dcl: nav.domContentLoadedEventEnd, lcp: window.__lcp,
        bytes: nav.transferSize + performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, 0),
      };
    });
    sample.clientAt = null;
    if (withRum) {
      try {
        await page.waitForFunction(config.clientRuns, { timeout: 15000, polling: 20 });
        sample.clientAt = await page.evaluate(() => window.__clientAt);
      } catch (error) { /* the client never ran: clientAt stays null */ }
    }
    sample.rumLoaded = sample.clientAt !== null;
    await page.goto('about:blank');  // page hide: the client flushes by beacon
    await new Promise((resolve) => setTimeout(resolve, 400));
    return sample;
  } finally {
    await context.close();
  }
}

const results = {};
try {
  for (const profile of config.profiles) {
    const names = profile.variants ?? Object.keys(config.variants);
    const urls = Object.fromEntries(names.map((n) => [n, `${config.site}${profile.prefix ?? ''}${config.variants[n]}`]));
    const samples = Object.fromEntries(names.map((n) => [n, []]));
    const runs = profile.runs ?? config.runs;
    const warmup = profile.warmup ?? config.warmup;
    for (let run = -warmup; run < runs; run++) {
      // Rotate the order each run so drift (thermal, caches, GC) spreads over all variants.
      const order = names.map((_, i) => names[(i + Math.max(run, 0)) % names.length]);
      for (const name of order) {
        const sample = await load(urls[name], profile, name !== config.withoutRum);
        samples[name].push({ ...sample, warmup: run < 0 });
      }
    }
    results[profile.name] = samples;
  }
} finally {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(results));
