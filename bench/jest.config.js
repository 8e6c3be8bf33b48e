// Benchmarks run on jest's Angular setup (TestBed, JIT) but are not tests: `npm run bench` only.
const base = require('../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/bench'],
  testMatch: ['**/*.bench.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600_000,
  reporters: [['default', { summaryThreshold: 0 }]],
};
