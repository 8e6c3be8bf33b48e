import { URLS } from '../e2e/helpers/servers';

/** The matrix cell this Playwright run tests, from the environment compat/run.mjs sets. */
function cellFromEnv() {
  const angular = process.env['COMPAT_ANGULAR'];
  const style = process.env['COMPAT_STYLE'];
  const appDir = process.env['COMPAT_APP_DIR'];
  if (!angular || (style !== 'standalone' && style !== 'ngmodule') || !appDir) {
    throw new Error(
      'Run the compatibility suite through `node compat/run.mjs` (it sets COMPAT_ANGULAR, COMPAT_STYLE and COMPAT_APP_DIR).',
    );
  }
  // The client registration trusts these two origins only.
  return {
    angular,
    style,
    appDir,
    origin: style === 'standalone' ? URLS.demo : URLS.demoModule,
  } as const;
}

export const CELL = cellFromEnv();
