// Runs a canary script the way the Synthetics runtime would: load <dir>/<file>.js, call the handler
// named by HANDLER ("file.function"), report PASSED or FAILED: <reason>, exit 0 or 1.
'use strict';
const path = require('path');
const synthetics = require('@aws/synthetics-puppeteer');

async function main() {
  const [file, fn] = (process.env.HANDLER || 'index.handler').split('.');
  const canary = require(path.resolve(process.argv[2], `${file}.js`));
  try {
    await canary[fn]();
    console.log('PASSED');
    return 0;
  } catch (error) {
    console.log(`FAILED: ${error.message}`);
    return 1;
  } finally {
    await synthetics.close();
  }
}

main().then((code) => process.exit(code), (error) => { console.log(`ERROR: ${error.stack}`); process.exit(2); });
