import type * as ts from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';
import {
  Rule,
  SchematicContext,
  SchematicsException,
  Tree,
  chain,
} from '@angular-devkit/schematics';
import { addRootProvider } from '@schematics/angular/utility';
import { findAppConfig } from '@schematics/angular/utility/standalone/app_config';
import {
  findBootstrapApplicationCall,
  findProvidersLiteral,
} from '@schematics/angular/utility/standalone/util';

import { authConfigLiteral } from './auth-config';
import { AuthSetup } from './options';
import { addImports, appendToList, findCall, mentions } from './source-edits';
import { typescript } from './typescript';

const HTTP = '@angular/common/http';
const LIBRARY = 'ngx-spa-auth';

/**
 * Standalone app: `provideAuth({...})` and `authInterceptor` in the providers of the config that
 * main.ts passes to `bootstrapApplication` (usually app.config.ts). An existing
 * `provideHttpClient(...)` / `withInterceptors([...])` is extended, never duplicated.
 */
export function setUpStandalone(project: string, mainPath: string, setup: AuthSetup): Rule {
  return (tree: Tree, context: SchematicContext) => {
    const located = locateProviders(tree, mainPath);
    if (!located) {
      // No `providers: [...]` to extend yet: let the CLI's utility create it with the one-line
      // interceptor setup in it, then run again to add provideAuth in this file's layout.
      return chain([
        addRootProvider(
          project,
          ({ code, external }) =>
            code`${external('provideHttpClient', HTTP)}(${external('withInterceptors', HTTP)}([${external('authInterceptor', LIBRARY)}]))`,
        ),
        setUpStandalone(project, mainPath, setup),
      ]);
    }
    const { path } = located;
    const changed = [addInterceptor(tree, mainPath), addProvideAuth(tree, mainPath, setup)].filter(
      Boolean,
    );
    context.logger.info(
      changed.length
        ? `ngx-spa-auth: added ${changed.join(' and ')} to ${path}.`
        : `ngx-spa-auth: ${path} is already set up; nothing changed.`,
    );
    return tree;
  };
}

function locateProviders(
  tree: Tree,
  mainPath: string,
): { path: string; providers: ts.ArrayLiteralExpression } | undefined {
  const bootstrapCall = findBootstrapApplicationCall(tree, mainPath);
  const config = findAppConfig(bootstrapCall, tree, mainPath);
  if (!config) return undefined;
  const providers = findProvidersLiteral(config.node);
  if (
    !providers &&
    config.node.properties.some(
      (property: ts.ObjectLiteralElementLike) => property.name?.getText() === 'providers',
    )
  ) {
    throw new SchematicsException(
      `${config.filePath}: the app config's providers are not an array literal; add ngx-spa-auth to them by hand (see its README).`,
    );
  }
  return providers ? { path: config.filePath, providers } : undefined;
}

function providersOrThrow(tree: Tree, mainPath: string) {
  const located = locateProviders(tree, mainPath);
  if (!located)
    throw new SchematicsException(
      `Cannot find the providers of the app config bootstrapped in ${mainPath}.`,
    );
  return located;
}

function addProvideAuth(tree: Tree, mainPath: string, setup: AuthSetup): string | undefined {
  const { path, providers } = providersOrThrow(tree, mainPath);
  if (
    providers.elements.some(
      (element) => mentions(element, 'provideAuth') || mentions(element, 'AuthModule'),
    )
  )
    return undefined;
  appendToList(tree, path, providers, `provideAuth(${authConfigLiteral(setup)})`);
  addImports(tree, path, [['provideAuth', LIBRARY]]);
  return 'provideAuth()';
}

function addInterceptor(tree: Tree, mainPath: string): string | undefined {
  const { path, providers } = providersOrThrow(tree, mainPath);
  if (providers.elements.some((element) => mentions(element, 'authInterceptor'))) return undefined;
  const provideHttpClient = findCall(providers.elements, 'provideHttpClient');
  if (!provideHttpClient) {
    appendToList(tree, path, providers, 'provideHttpClient(withInterceptors([authInterceptor]))');
    addImports(tree, path, [
      ['provideHttpClient', HTTP],
      ['withInterceptors', HTTP],
      ['authInterceptor', LIBRARY],
    ]);
    return 'provideHttpClient(withInterceptors([authInterceptor]))';
  }
  const withInterceptors = findCall(provideHttpClient.arguments, 'withInterceptors');
  const interceptors = withInterceptors?.arguments[0];
  if (withInterceptors && interceptors && typescript.isArrayLiteralExpression(interceptors)) {
    appendToList(tree, path, interceptors, 'authInterceptor');
    addImports(tree, path, [['authInterceptor', LIBRARY]]);
    return 'authInterceptor to withInterceptors([...])';
  }
  if (withInterceptors) {
    throw new SchematicsException(
      `${path}: withInterceptors(...) is not given an array literal; add authInterceptor to it by hand.`,
    );
  }
  appendToList(tree, path, provideHttpClient, 'withInterceptors([authInterceptor])');
  addImports(tree, path, [
    ['withInterceptors', HTTP],
    ['authInterceptor', LIBRARY],
  ]);
  return 'withInterceptors([authInterceptor]) to provideHttpClient(...)';
}
