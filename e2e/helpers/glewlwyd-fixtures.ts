import { expect, test as base } from './fixtures';
import { glewlwyd, GlewlwydTokenResponses } from './glewlwyd';

export { expect };

/** Seconds; tests that need expiry set their own lifetime. */
const ACCESS_TOKEN_TTL = 600;

interface GlewlwydFixtures {
  /** glewlwyd's record and database; the record and the API counters are empty when a test starts. */
  gw: typeof glewlwyd & {
    /** Refresh tokens glewlwyd issued in this test, oldest first. */
    issuedRefreshTokens: () => ReturnType<typeof glewlwyd.refreshTokens>;
  };
  /** Refresh tokens the browser received from glewlwyd in this test (to play the attacker). */
  tokenResponses: GlewlwydTokenResponses;
}

export const test = base.extend<GlewlwydFixtures>({
  gw: [
    async ({}, use) => {
      // Access tokens that outlive any test (the library refreshes 30 s before expiry): refreshes
      // happen only where a test causes them, however slow the machine is.
      await Promise.all([
        glewlwyd.resetRecord(),
        glewlwyd.resetApi(),
        glewlwyd.setAccessTokenTtl(ACCESS_TOKEN_TTL),
      ]);
      const before = await glewlwyd.lastRefreshTokenId();
      await use({ ...glewlwyd, issuedRefreshTokens: () => glewlwyd.refreshTokens(before) });
    },
    { auto: true },
  ],
  tokenResponses: async ({ context }, use) => {
    const responses = new GlewlwydTokenResponses(context);
    await use(responses);
    responses.dispose();
  },
});
