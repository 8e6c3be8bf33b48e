// Summarises a V8 CPU profile (`node --cpu-prof`) of the BFF process: where its CPU time went,
// by function (self time) and by file. Used by `npm run bench:bff -- --profile`.
//   node bench/bff/profile-summary.mjs <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export function summarise(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // Each sample lands on one node; the time between samples is that node's self time.
  for (let i = 0; i < profile.samples.length; i += 1) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(node, (self.get(node) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([n]) => n.callFrame.functionName === '(idle)');
  const busy = total - idle.reduce((a, [, t]) => a + t, 0);
  const group = (keyOf) => {
    const sums = new Map();
    for (const [node, t] of self) {
      if (node.callFrame.functionName === '(idle)') continue;
      const key = keyOf(node.callFrame);
      sums.set(key, (sums.get(key) ?? 0) + t);
    }
    return [...sums].sort((a, b) => b[1] - a[1]).slice(0, top);
  };
  const where = (f) => (f.url ? basename(f.url) : '(native)');
  const pct = (t) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
  const lines = [`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled`];
  lines.push('', 'by file (self time, share of busy time):');
  for (const [k, t] of group(where)) lines.push(`  ${pct(t)}  ${k}`);
  lines.push('', 'by function:');
  for (const [k, t] of group(
    (f) => `${f.functionName || '(anonymous)'}  ${where(f)}:${f.lineNumber + 1}`,
  ))
    lines.push(`  ${pct(t)}  ${k}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(summarise(process.argv[2], Number(process.argv[3] ?? 25)));
}
