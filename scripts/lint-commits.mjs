#!/usr/bin/env node
// `npm run lint:commits`: every commit message on HEAD's history follows Conventional Commits
// (commitlint.config.mjs). Errors fail; warnings (a header over 100 characters) are only counted.
// Works on a shallow clone: it checks what the clone has.
import { execFileSync } from 'node:child_process';

import load from '@commitlint/load';
import lint from '@commitlint/lint';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' });
const shas = git('rev-list', '--no-merges', 'HEAD').split('\n').filter(Boolean);
const config = await load({}, { file: 'commitlint.config.mjs', cwd: process.cwd() });
const options = {
  parserOpts: config.parserPreset?.parserOpts,
  plugins: config.plugins,
  ignores: config.ignores,
  defaultIgnores: config.defaultIgnores,
};

let failed = 0;
let warned = 0;
for (const sha of shas) {
  const message = git('show', '-s', '--format=%B', sha);
  const result = await lint(message, config.rules, options);
  if (result.warnings.length > 0) warned++;
  if (!result.valid) {
    failed++;
    console.error(`✖ ${sha.slice(0, 7)} ${message.split('\n')[0]}`);
    for (const e of result.errors) console.error(`    ${e.message} [${e.name}]`);
  }
}
console.log(
  `lint:commits: ${shas.length} commits checked, ${failed} invalid, ${warned} with warnings (header over 100 characters)`,
);
process.exit(failed > 0 ? 1 : 0);
