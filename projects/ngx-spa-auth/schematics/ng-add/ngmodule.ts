import type * as ts from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';
import { Rule, SchematicContext, SchematicsException, Tree } from '@angular-devkit/schematics';
import {
  addSymbolToNgModuleMetadata,
  getDecoratorMetadata,
  getMetadataField,
} from '@schematics/angular/utility/ast-utils';
import { applyChangesToFile } from '@schematics/angular/utility/standalone/util';

import { authConfigLiteral } from './auth-config';
import { AuthSetup } from './options';
import { addImports, appendToList, findCall, getSourceFile, mentions } from './source-edits';
import { typescript } from './typescript';

const HTTP = '@angular/common/http';
const LIBRARY = 'ngx-spa-auth';
const INTERCEPTOR_PROVIDER =
  '{ provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true }';

/**
 * NgModule app: `AuthModule.forRoot({...})` in the root module's imports, the `AuthInterceptor`
 * class as an `HTTP_INTERCEPTORS` provider, and an HttpClient that runs DI interceptors
 * (`withInterceptorsFromDi()`: added to an existing `provideHttpClient(...)`; an imported
 * `HttpClientModule` already does it).
 */
export function setUpNgModule(modulePath: string, setup: AuthSetup): Rule {
  return (tree: Tree, context: SchematicContext) => {
    const changed = [
      addAuthModule(tree, modulePath, setup),
      addHttpClient(tree, modulePath),
      addInterceptorProvider(tree, modulePath),
    ].filter(Boolean);
    context.logger.info(
      changed.length
        ? `ngx-spa-auth: added ${changed.join(', ')} to ${modulePath}.`
        : `ngx-spa-auth: ${modulePath} is already set up; nothing changed.`,
    );
    return tree;
  };
}

function metadataArray(
  tree: Tree,
  path: string,
  field: 'imports' | 'providers',
): ts.ArrayLiteralExpression | undefined {
  const [metadata] = getDecoratorMetadata(getSourceFile(tree, path), 'NgModule', '@angular/core');
  if (!metadata || !typescript.isObjectLiteralExpression(metadata))
    throw new SchematicsException(`${path} has no @NgModule({...}).`);
  const [property] = getMetadataField(metadata, field);
  if (!property) return undefined;
  if (
    !typescript.isPropertyAssignment(property) ||
    !typescript.isArrayLiteralExpression(property.initializer)
  ) {
    throw new SchematicsException(
      `${path}: the @NgModule ${field} are not an array literal; add ngx-spa-auth to them by hand.`,
    );
  }
  return property.initializer;
}

function append(
  tree: Tree,
  path: string,
  field: 'imports' | 'providers',
  expression: string,
): void {
  const array = metadataArray(tree, path, field);
  if (array) appendToList(tree, path, array, expression);
  // No such field yet: the CLI's utility adds `field: [expression]` to the metadata.
  else
    applyChangesToFile(
      tree,
      path,
      addSymbolToNgModuleMetadata(getSourceFile(tree, path), path, field, expression, null),
    );
}

function addAuthModule(tree: Tree, path: string, setup: AuthSetup): string | undefined {
  if (
    metadataArray(tree, path, 'imports')?.elements.some((element) =>
      mentions(element, 'AuthModule'),
    )
  )
    return undefined;
  append(tree, path, 'imports', `AuthModule.forRoot(${authConfigLiteral(setup)})`);
  addImports(tree, path, [['AuthModule', LIBRARY]]);
  return 'AuthModule.forRoot()';
}

function addHttpClient(tree: Tree, path: string): string | undefined {
  if (
    metadataArray(tree, path, 'imports')?.elements.some((element) =>
      mentions(element, 'HttpClientModule'),
    )
  )
    return undefined;
  const providers = metadataArray(tree, path, 'providers');
  const provideHttpClient = providers && findCall(providers.elements, 'provideHttpClient');
  if (provideHttpClient) {
    if (findCall(provideHttpClient.arguments, 'withInterceptorsFromDi')) return undefined;
    appendToList(tree, path, provideHttpClient, 'withInterceptorsFromDi()');
    addImports(tree, path, [['withInterceptorsFromDi', HTTP]]);
    return 'withInterceptorsFromDi() to provideHttpClient(...)';
  }
  append(tree, path, 'providers', 'provideHttpClient(withInterceptorsFromDi())');
  addImports(tree, path, [
    ['provideHttpClient', HTTP],
    ['withInterceptorsFromDi', HTTP],
  ]);
  return 'provideHttpClient(withInterceptorsFromDi())';
}

function addInterceptorProvider(tree: Tree, path: string): string | undefined {
  if (
    metadataArray(tree, path, 'providers')?.elements.some((element) =>
      mentions(element, 'AuthInterceptor'),
    )
  )
    return undefined;
  append(tree, path, 'providers', INTERCEPTOR_PROVIDER);
  addImports(tree, path, [
    ['HTTP_INTERCEPTORS', HTTP],
    ['AuthInterceptor', LIBRARY],
  ]);
  return 'the AuthInterceptor provider';
}
