import { Tree } from '@angular-devkit/schematics';
import { insertImport } from '@schematics/angular/utility/ast-utils';
import { InsertChange, ReplaceChange } from '@schematics/angular/utility/change';
import { applyChangesToFile, getSourceFile } from '@schematics/angular/utility/standalone/util';
import type * as ts from '@schematics/angular/third_party/github.com/Microsoft/TypeScript/lib/typescript';

import { typescript } from './typescript';

/** Prettier's width in an Angular CLI workspace: a list that would get longer is split into lines. */
const PRINT_WIDTH = 100;

export { getSourceFile };

/** Adds `import { symbol } from 'module'` (or the symbol to an existing import), one at a time. */
export function addImports(
  tree: Tree,
  path: string,
  imports: ReadonlyArray<readonly [string, string]>,
): void {
  for (const [symbol, module] of imports) {
    // Re-read after every import: insertImport plans on the file as it is now.
    applyChangesToFile(tree, path, [insertImport(getSourceFile(tree, path), path, symbol, module)]);
  }
}

/** Whether `node` or anything inside it is the identifier `name`. */
export function mentions(node: ts.Node, name: string): boolean {
  if (typescript.isIdentifier(node) && node.text === name) return true;
  return (
    typescript.forEachChild(node, (child) => (mentions(child, name) ? true : undefined)) ?? false
  );
}

/** The call `name(...)` among `nodes` (not nested), if any. */
export function findCall(
  nodes: ReadonlyArray<ts.Node>,
  name: string,
): ts.CallExpression | undefined {
  return nodes.find(
    (node): node is ts.CallExpression =>
      typescript.isCallExpression(node) &&
      typescript.isIdentifier(node.expression) &&
      node.expression.text === name,
  );
}

/**
 * Appends `expression` to an array literal's elements or a call's arguments, in the list's own
 * layout: a list with one item per line gets a new line at the same indentation (keeping or
 * leaving out the trailing comma as the list does); a one-line list stays on one line while it fits
 * in the print width, else it is split into one item per line. A multi-line `expression` is
 * indented to where it lands.
 */
export function appendToList(
  tree: Tree,
  path: string,
  container: ts.ArrayLiteralExpression | ts.CallExpression,
  expression: string,
): void {
  const source = container.getSourceFile();
  const text = source.getFullText();
  const items = typescript.isArrayLiteralExpression(container)
    ? container.elements
    : container.arguments;
  const open = items.pos - 1; // `[` or `(`
  const close = container.getEnd() - 1; // `]` or `)`
  const baseIndent = indentOfLine(text, container.getStart());

  if (items.length > 0 && lineOf(source, items[0].getStart()) !== lineOf(source, open)) {
    const last = items[items.length - 1];
    const indent = indentOfLine(text, last.getStart());
    const insertion = reindent(expression, indent);
    const change = items.hasTrailingComma
      ? new InsertChange(path, text.indexOf(',', last.getEnd()) + 1, `\n${indent}${insertion},`)
      : new InsertChange(path, last.getEnd(), `,\n${indent}${insertion}`);
    applyChangesToFile(tree, path, [change]);
    return;
  }

  const parts = [...items.map((item) => item.getText()), expression];
  const oneLine = parts.join(', ');
  const lineStart = text.lastIndexOf('\n', open) + 1;
  const lineEnd = text.indexOf('\n', close) < 0 ? text.length : text.indexOf('\n', close);
  const resultingLine = text.slice(lineStart, open + 1) + oneLine + text.slice(close, lineEnd);
  const replacement =
    !oneLine.includes('\n') && resultingLine.length <= PRINT_WIDTH
      ? oneLine
      : `\n${parts.map((part) => `${baseIndent}  ${reindent(part, `${baseIndent}  `)},`).join('\n')}\n${baseIndent}`;
  const old = text.slice(open + 1, close);
  applyChangesToFile(tree, path, [new ReplaceChange(path, open + 1, old, replacement)]);
}

/** A TypeScript single-quoted string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line;
}

function indentOfLine(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function reindent(expression: string, indent: string): string {
  return expression.split('\n').join(`\n${indent}`);
}
