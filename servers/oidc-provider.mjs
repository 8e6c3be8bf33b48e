// Loads oidc-provider without its "Unsupported runtime. Use Node.js v22.x LTS" warning: this
// workspace is pinned to Node 20, where it works (see shared/TOOLCHAIN.md), and the line would
// otherwise open every test file's output. Nothing else is filtered.
const originalWarn = console.warn;
console.warn = (...args) => {
  if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
  originalWarn.apply(console, args);
};
let mod;
try {
  mod = await import('oidc-provider');
} finally {
  console.warn = originalWarn;
}

export const { Provider, errors, interactionPolicy } = mod;
