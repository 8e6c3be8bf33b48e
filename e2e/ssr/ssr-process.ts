/**
 * The server-rendered demo's Node process for e2e/ssr.spec.ts: started from its build
 * (dist/demo-ssr/server/server.mjs) with the traps of ./ssr-traps.mjs preloaded, and what those
 * traps recorded, read back and sorted into what the framework does by itself and what counts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** One trap record (see ssr-traps.mjs): a touched global, a crypto call, or an outgoing request. */
export interface TrapRecord {
  readonly kind: 'global' | 'crypto' | 'request';
  readonly what: string;
  readonly url?: string;
  readonly method?: string;
  readonly authorization?: boolean;
  readonly stack: readonly string[];
}

/**
 * What Angular itself reads while it loads and bootstraps on the server, none of it from the
 * library or the app: feature checks (`typeof navigator`) run while a module is evaluated, and
 * two development-mode utilities that look for `window` / `location` to publish debugging helpers.
 * They find nothing (the traps answer undefined, as Node would), so the render goes on as without
 * the traps.
 */
function isFrameworkFeatureCheck(record: TrapRecord): boolean {
  if (record.kind !== 'global') return false;
  if (record.stack.some((frame) => frame.includes('/projects/'))) return false;
  if (record.stack.some((frame) => frame.includes('ModuleJob.run'))) return true;
  const top = record.stack[0] ?? '';
  return (
    (record.what === 'window' && /publishDefaultGlobalUtils/.test(top)) ||
    (record.what === 'location' && /ngDevModeResetPerfCounters/.test(top))
  );
}

export class SsrProcess {
  readonly #dir = mkdtempSync(join(tmpdir(), 'ngx-ssr-'));
  readonly #log = join(this.#dir, 'traps.jsonl');
  #child: ChildProcess | null = null;
  #output = '';

  constructor(readonly origin: string) {}

  /** Starts the server and resolves once it listens. */
  async start(): Promise<void> {
    writeFileSync(this.#log, '');
    const { port, hostname } = new URL(this.origin);
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        '--import',
        join(ROOT, 'e2e/ssr/ssr-traps.mjs'),
        join(ROOT, 'dist/demo-ssr/server/server.mjs'),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, PORT: port, HOST: hostname, SSR_TRAP_LOG: this.#log },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#child = child;
    await new Promise<void>((resolveStart, reject) => {
      const onData = (chunk: Buffer) => {
        this.#output += chunk.toString();
        if (this.#output.includes('demo-ssr listening on')) resolveStart();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`the SSR server exited (${code}) before listening:\n${this.#output}`)),
      );
    });
  }

  /** Everything the server process printed (for failure messages; it never prints tokens). */
  get output(): string {
    return this.#output;
  }

  /** Every record so far. */
  records(): TrapRecord[] {
    return readFileSync(this.#log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TrapRecord);
  }

  /** Browser APIs touched other than Angular's own feature checks: must stay empty. */
  browserApiTouches(): TrapRecord[] {
    return this.records().filter((r) => r.kind !== 'request' && !isFrameworkFeatureCheck(r));
  }

  /** Outgoing HTTP requests the server process made (fetch and node:http). */
  requests(): TrapRecord[] {
    return this.records().filter((r) => r.kind === 'request');
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
