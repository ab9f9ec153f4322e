// Loads each page variant in headless Chromium and reports load-event time and LCP.
// Usage: node page.mjs '<json config>'   (printed result: one JSON object on stdout)
// Config: {chromium, variants: {name: url}, runs, warmup, profiles: [{name, latency, down, up}]}.
// Every page gets a fresh incognito context with the cache disabled, so each load fetches
// everything (a first visit). Only 127.0.0.1 is contacted.
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

// Runs before any page script: records LCP candidates as they come.
const OBSERVE = () => {
  window.__lcp = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__lcp = entry.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
};

async function load(url, profile) {
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
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const resources = performance.getEntriesByType('resource').map((r) => r.name);
      return {
        load: nav.loadEventStart, dcl: nav.domContentLoadedEventEnd, lcp: window.__lcp,
        bytes: nav.transferSize + performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, 0),
        rumLoaded: (typeof window.AwsRumClient === 'object' && resources.some((n) => n.endsWith('/cwr.js')))
          || typeof window.__rum === 'object',  // a bundled module (rumcfn snippet --format module)
      };
    });
  } finally {
    await context.close();
  }
}

const results = {};
try {
  for (const profile of config.profiles) {
    const names = profile.variants ?? Object.keys(config.variants);
    const samples = Object.fromEntries(names.map((n) => [n, []]));
    const runs = profile.runs ?? config.runs;
    const warmup = profile.warmup ?? config.warmup;
    for (let run = -warmup; run < runs; run++) {
      // Rotate the order each run so drift (thermal, caches, GC) spreads over all variants.
      const order = names.map((_, i) => names[(i + Math.max(run, 0)) % names.length]);
      for (const name of order) {
        const sample = await load(config.variants[name], profile);
        if (run >= 0) samples[name].push(sample);
      }
    }
    results[profile.name] = samples;
  }
  if (config.probe) {
    // Proof that the client really runs: load, then leave the page so it flushes by beacon.
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.goto(config.probe, { waitUntil: 'load' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.goto('about:blank');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await context.close();
  }
} finally {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(results));
