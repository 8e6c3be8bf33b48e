/** @jest-environment node */
import { AuthError } from './errors';
import { lazy } from './lazy';

describe('lazy (code loaded with a dynamic import)', () => {
  it('fetches the module once and hands the same module to every caller', async () => {
    let imports = 0;
    const module = { answer: 42 };
    const load = lazy('the answer', () => (imports++, Promise.resolve(module)));
    const [a, b] = await Promise.all([load(), load()]);
    expect(await load()).toBe(module);
    expect(a).toBe(module);
    expect(b).toBe(module);
    expect(imports).toBe(1);
  });

  it('turns a chunk that cannot be fetched into AuthError network_error and fetches again next time', async () => {
    let imports = 0;
    const module = { answer: 42 };
    const load = lazy('the answer', () =>
      ++imports === 1
        ? Promise.reject(new TypeError('Failed to fetch dynamically imported module'))
        : Promise.resolve(module),
    );
    const failure = await load().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthError);
    expect((failure as AuthError).code).toBe('network_error');
    expect((failure as AuthError).message).toContain('the answer');
    expect(await load()).toBe(module);
    expect(imports).toBe(2);
  });
});
