// Test stand-in for the Synthetics runtime's logger (@aws/synthetics-logger): lines go to stderr.
'use strict';
const line = (level) => (...args) => console.error(`[canary ${level}]`, ...args);
module.exports = {debug: line('DEBUG'), info: line('INFO'), warn: line('WARN'), error: line('ERROR'), log: line('INFO')};
