import { defineConfig } from '@playwright/test';

import e2e from '../playwright.config';

/**
 * One cell of the compatibility matrix (compat/run.mjs sets which): the e2e suite's browser setup,
 * with the cell's own global setup and spec.
 */
export default defineConfig({
  ...e2e,
  testDir: '.',
  testMatch: 'compat.spec.ts',
  globalSetup: './global-setup.ts',
  outputDir: 'artifacts',
});
