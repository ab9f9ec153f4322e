// Test stand-in for the Synthetics runtime (@aws/synthetics-puppeteer): the part of its API the
// rumcfn canary uses, on puppeteer-core and Debian's chromium. Only 127.0.0.1 is reachable: every
// other host name resolves to nothing (--host-resolver-rules).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');
const log = require('@aws/synthetics-logger');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'];
let config = {screenshotOnStepStart: true, screenshotOnStepSuccess: true, screenshotOnStepFailure: true};
let browser = null;
let page = null;
let steps = 0;
const artifacts = process.env.CANARY_ARTIFACTS || fs.mkdtempSync(path.join(os.tmpdir(), 'canary-artifacts-'));

async function screenshot(name, suffix) {
  const file = path.join(artifacts, `${String(++steps).padStart(2, '0')}-${name}-${suffix}.png`);
  await page.screenshot({path: file}).catch((error) => log.warn(`no screenshot ${file}: ${error.message}`));
}

module.exports = {
  getConfiguration: () => ({setConfig: (options) => { config = {...config, ...options}; }, getConfig: () => config}),
  async getPage() {
    if (!page) {
      browser = await puppeteer.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ARGS,
        userDataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'canary-profile-')),
      });
      page = await browser.newPage();
    }
    return page;
  },
  async executeStep(name, fn) {
    log.info(`step ${name}: start`);
    if (config.screenshotOnStepStart) await screenshot(name, 'starting');
    try {
      const result = await fn();
      if (config.screenshotOnStepSuccess) await screenshot(name, 'succeeded');
      log.info(`step ${name}: passed`);
      return result;
    } catch (error) {
      if (config.screenshotOnStepFailure) await screenshot(name, 'failed');
      log.error(`step ${name}: failed: ${error.message}`);
      throw error;
    }
  },
  async takeScreenshot(name, suffix) { await screenshot(name, suffix || 'screenshot'); },
  async close() { if (browser) await browser.close(); browser = null; page = null; },
};
