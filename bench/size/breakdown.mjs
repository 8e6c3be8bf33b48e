// Where a bundle's bytes go: every byte of the minified output is charged to the original source
// file (and, for large files, the top-level declaration) that the source map points it to.
// esbuild composes the FESM's own source map, so ngx-spa-auth's bytes land on its .ts files.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const gzipSize = (buffer) => gzipSync(buffer, { level: 9 }).length;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Decodes source map v3 `mappings` into [genLine][] of [genCol, srcIndex, srcLine, srcCol]. */
function decodeMappings(mappings) {
  const lines = [];
  let src = 0,
    srcLine = 0,
    srcCol = 0;
  for (const lineText of mappings.split(';')) {
    const segs = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const values = [];
      let value = 0,
        shift = 0;
      for (const ch of seg) {
        const digit = B64_INDEX.get(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
          continue;
        }
        values.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
      genCol += values[0];
      if (values.length >= 4) {
        src += values[1];
        srcLine += values[2];
        srcCol += values[3];
        segs.push([genCol, src, srcLine, srcCol]);
      } else {
        segs.push([genCol, -1, 0, 0]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** Top-level declarations of a source file, by starting line (0-based), for finer attribution. */
function topLevelDeclarations(text) {
  const decls = [];
  text.split('\n').forEach((line, i) => {
    const m =
      /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|enum)\s+([\w$]+)/.exec(
        line,
      );
    if (m) decls.push({ line: i, name: m[1] });
  });
  return decls;
}

/**
 * Charges each output byte to its source. Returns `{ files: [{ file, bytes, decls? }] }`, sorted,
 * where `decls` (for files in `detailFor`) splits the file's bytes by top-level declaration.
 * `bundleFile` is where the bundle would be written (the map's sources are relative to it).
 */
export function attribute(code, map, bundleFile, root, detailFor = () => false) {
  const text = code.toString('utf8');
  const outLines = text.split('\n');
  const decoded = decodeMappings(map.mappings);
  const sources = map.sources.map((s) => relative(root, resolve(dirname(bundleFile), s)));
  const perSource = new Map();
  const perDecl = new Map();
  const pieces = []; // [file, text] in output order, to measure what each file costs after gzip
  const declCache = new Map();
  const declOf = (srcIndex, srcLine) => {
    const file = sources[srcIndex];
    if (!declCache.has(file)) {
      const abs = resolve(root, file);
      const content =
        map.sourcesContent?.[srcIndex] ?? (existsSync(abs) ? readFileSync(abs, 'utf8') : '');
      declCache.set(file, topLevelDeclarations(content));
    }
    let name = '(top level)';
    for (const d of declCache.get(file)) {
      if (d.line > srcLine) break;
      name = d.name;
    }
    return name;
  };
  const charge = (srcIndex, srcLine, bytes, piece) => {
    const file = srcIndex < 0 ? '(generated)' : sources[srcIndex];
    pieces.push([file, piece]);
    perSource.set(file, (perSource.get(file) ?? 0) + bytes);
    if (srcIndex >= 0 && detailFor(file)) {
      const key = `${file}\0${declOf(srcIndex, srcLine)}`;
      perDecl.set(key, (perDecl.get(key) ?? 0) + bytes);
    }
  };
  // Each mapping owns the bytes up to the next mapping, across line ends (a multi-line string
  // literal has mappings on its first line only).
  let owner = [-1, 0];
  outLines.forEach((lineText, i) => {
    const segs = decoded[i] ?? [];
    const nl = i < outLines.length - 1 ? '\n' : '';
    const firstCol = segs.length ? segs[0][0] : lineText.length;
    const lead = lineText.slice(0, firstCol) + (segs.length ? '' : nl);
    if (lead) charge(owner[0], owner[1], Buffer.byteLength(lead), lead);
    segs.forEach(([col, src, sl], k) => {
      const piece =
        lineText.slice(col, k + 1 < segs.length ? segs[k + 1][0] : undefined) +
        (k + 1 < segs.length ? '' : nl);
      owner = [src, sl];
      charge(src, sl, Buffer.byteLength(piece), piece);
    });
  });
  // What a file costs after gzip: the whole bundle's gzip size minus that of the bundle without it.
  const total = gzipSize(Buffer.from(text));
  const gzipCost = (file) =>
    total -
    gzipSize(
      Buffer.from(
        pieces
          .filter(([f]) => f !== file)
          .map(([, t]) => t)
          .join(''),
      ),
    );
  const files = [...perSource.entries()].map(([file, bytes]) => {
    const decls = [...perDecl.entries()]
      .filter(([key]) => key.startsWith(`${file}\0`))
      .map(([key, b]) => ({ name: key.split('\0')[1], bytes: b }))
      .sort((a, b) => b.bytes - a.bytes);
    return decls.length
      ? { file, bytes, gzip: gzipCost(file), decls }
      : { file, bytes, gzip: gzipCost(file) };
  });
  return files.sort((a, b) => b.bytes - a.bytes);
}
