import { dirname } from 'node:path';

import type * as ts from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';

/**
 * The TypeScript that @schematics/angular's AST utilities parse with. The node kinds differ
 * between TypeScript versions, so checks on the nodes those utilities return must use the same
 * copy: Angular 21's @schematics/angular vendors one, Angular 22's depends on `typescript`.
 */
export const typescript: typeof ts = loadTypeScript();

// Schematics run as CommonJS and which copy to load is decided at run time, hence require().
/* eslint-disable @typescript-eslint/no-require-imports */
function loadTypeScript(): typeof ts {
  // A missing vendored copy is how a newer @schematics/angular says it uses the typescript package.
  try {
    return require('@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript');
  } catch {
    const schematicsAngular = dirname(require.resolve('@schematics/angular/package.json'));
    return require(require.resolve('typescript', { paths: [schematicsAngular] }));
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */
