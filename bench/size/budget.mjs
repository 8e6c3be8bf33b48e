#!/usr/bin/env node
// Size budget of ngx-spa-auth's full default import set (provideAuth + withSessionRestore,
// authInterceptor, authGuard, AuthService), measured exactly as in the comparison table
// (compare.mjs) but needing only the root node_modules: no other library is installed.
// The budget is on the initial bundle (what an app downloads at startup); lazy chunks (code behind
// a dynamic import(), fetched only when it runs) are printed beside it.
//
//   node bench/size/budget.mjs               builds the library, measures, exits 1 over budget
//   node bench/size/budget.mjs --skip-build  measures dist/ngx-spa-auth as it is
//
// The budgets (gzip -9 bytes, per measurement) are in budget.json. Raise one only with a reason;
// lower it when a cut lands, so the bytes saved stay saved.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { buildLibrary, closeTransformers, HERE, measureNgxSpaAuth, MODES } from './shared.mjs';

const LABELS = { app: 'app build (Angular CLI linker + optimizer)', fesm: 'published FESM as is' };

async function main() {
  const budget = JSON.parse(readFileSync(join(HERE, 'budget.json'), 'utf8'));
  if (!process.argv.includes('--skip-build')) buildLibrary();
  let over = 0;
  for (const mode of MODES) {
    const limit = budget[mode]?.gzip;
    if (typeof limit !== 'number') throw new Error(`bench/size/budget.json has no ${mode}.gzip`);
    const { minified, gzip, lazy } = await measureNgxSpaAuth({ mode });
    const ok = gzip <= limit;
    if (!ok) over++;
    const headroom = limit - gzip;
    console.log(
      `${ok ? 'ok  ' : 'OVER'} ngx-spa-auth ${LABELS[mode]}: ${gzip} bytes gzip (${minified} minified), ` +
        `budget ${limit} bytes gzip, ${headroom >= 0 ? `${headroom} bytes left` : `${-headroom} bytes over`}; ` +
        `lazy, not in the budget: ${lazy.gzip} bytes gzip in ${lazy.chunks} chunk(s)`,
    );
  }
  await closeTransformers();
  if (over > 0) {
    console.error(
      'ngx-spa-auth grew past its size budget (bench/size/budget.json). Run `npm run bench:size` to see ' +
        'where the bytes go; raise the budget only with a reason.',
    );
    process.exit(1);
  }
}

main().catch(async (error) => {
  await closeTransformers();
  console.error(error);
  process.exit(1);
});
