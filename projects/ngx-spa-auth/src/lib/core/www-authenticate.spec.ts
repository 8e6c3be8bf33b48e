/** @jest-environment node */
import { isDPoPNonceChallenge } from './www-authenticate';

describe('isDPoPNonceChallenge', () => {
  it.each([
    [
      'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
      true,
    ],
    ['Bearer realm="api", DPoP algs="ES256", error="use_dpop_nonce"', true],
    ['dpop error=use_dpop_nonce', true],
    ['DPoP error="invalid_token"', false],
    ['Bearer error="invalid_token"', false],
    [null, false],
  ])('%p → %p', (header, expected) => {
    expect(isDPoPNonceChallenge(header)).toBe(expected);
  });
});
