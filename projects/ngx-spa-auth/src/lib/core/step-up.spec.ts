/** @jest-environment node */
import fc from 'fast-check';

import {
  checkStepUpRequirement,
  meetsStepUp,
  stepUpChallengeOf,
  stepUpRequiredError,
  withoutQuery,
} from './step-up';
import { stepUpLoginOptions } from './step-up-login';

describe('stepUpChallengeOf (RFC 9470 §3)', () => {
  it('reads acr_values and max_age of an insufficient_user_authentication challenge', () => {
    expect(
      stepUpChallengeOf(
        'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:mfa urn:hwk"',
      ),
    ).toEqual({ acrValues: ['urn:mfa', 'urn:hwk'] });
    expect(
      stepUpChallengeOf('Bearer error="insufficient_user_authentication", max_age="5"'),
    ).toEqual({ maxAge: 5 });
    expect(
      stepUpChallengeOf(
        'DPoP algs="ES256", DPoP error=insufficient_user_authentication, acr_values="urn:mfa", max_age=0',
      ),
    ).toEqual({ acrValues: ['urn:mfa'], maxAge: 0 });
  });

  it('finds the challenge among several, whatever the case of scheme and names', () => {
    expect(
      stepUpChallengeOf(
        'Basic realm="x", BEARER ERROR="insufficient_user_authentication", ACR_VALUES="urn:mfa"',
      ),
    ).toEqual({ acrValues: ['urn:mfa'] });
  });

  it('gives an empty requirement (a fresh sign-in) when the challenge names neither', () => {
    expect(stepUpChallengeOf('Bearer error="insufficient_user_authentication"')).toEqual({});
  });

  it('leaves out a max_age that is not a number of seconds', () => {
    expect(
      stepUpChallengeOf(
        'Bearer error="insufficient_user_authentication", acr_values="a", max_age="-1"',
      ),
    ).toEqual({ acrValues: ['a'] });
  });

  it.each([
    ['another error', 'Bearer error="invalid_token", acr_values="urn:mfa"'],
    ['another scheme', 'Basic error="insufficient_user_authentication"'],
    [
      'the error only inside a description',
      'Bearer error_description="insufficient_user_authentication"',
    ],
    ['a malformed header', 'Bearer error="insufficient_user_authentication, acr_values="urn:mfa"'],
    ['no header', null],
  ])('finds no step-up in %s', (_what, header) => {
    expect(stepUpChallengeOf(header)).toBeNull();
  });

  it('never throws and finds no step-up without the error code, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (header) => {
        const found = stepUpChallengeOf(header);
        if (!/insufficient_user_authentication/i.test(header)) expect(found).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describe('meetsStepUp', () => {
  const now = 1_000_000_000_000;
  const authTime = now / 1000 - 100;

  it('accepts an acr among the acceptable ones and an auth_time within maxAge', () => {
    const claims = { sub: 'a', acr: 'urn:mfa', auth_time: authTime };
    expect(meetsStepUp(claims, { acrValues: ['urn:hwk', 'urn:mfa'], maxAge: 100 }, now)).toBe(true);
    expect(meetsStepUp(claims, {}, now)).toBe(true);
  });

  it('refuses another acr, an older sign-in, missing claims or no user', () => {
    expect(meetsStepUp({ sub: 'a', acr: 'urn:pwd' }, { acrValues: ['urn:mfa'] }, now)).toBe(false);
    expect(meetsStepUp({ sub: 'a', auth_time: authTime }, { maxAge: 99 }, now)).toBe(false);
    expect(meetsStepUp({ sub: 'a' }, { maxAge: 1000 }, now)).toBe(false);
    expect(meetsStepUp({ sub: 'a' }, { acrValues: ['urn:mfa'] }, now)).toBe(false);
    expect(meetsStepUp(null, {}, now)).toBe(false);
  });
});

describe('stepUpLoginOptions', () => {
  it('asks for acr_values and max_age, returning where asked', () => {
    expect(stepUpLoginOptions({ acrValues: ['urn:mfa', 'urn:hwk'], maxAge: 0 }, '/pay')).toEqual({
      returnUrl: '/pay',
      params: { acr_values: 'urn:mfa urn:hwk', max_age: '0' },
    });
  });

  it('asks for a new authentication (prompt=login) when the requirement names nothing', () => {
    expect(stepUpLoginOptions({}, '/pay')).toEqual({
      returnUrl: '/pay',
      params: {},
      prompt: 'login',
    });
  });
});

describe('step-up errors and checks', () => {
  it('carries the requirement, the status and the RFC 9470 error code', () => {
    const error = stepUpRequiredError({ acrValues: ['urn:mfa'] });
    expect(error).toMatchObject({
      code: 'step_up_required',
      status: 401,
      error: 'insufficient_user_authentication',
      stepUp: { acrValues: ['urn:mfa'] },
    });
  });

  it.each([
    [{ acrValues: [] }],
    [{ acrValues: ['two words'] }],
    [{ acrValues: [''] }],
    [{ maxAge: -1 }],
    [{ maxAge: 1.5 }],
  ])('refuses a malformed guard requirement %p with invalid_config', (requirement) => {
    expect(() => checkStepUpRequirement(requirement, 'authGuardWith()')).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });

  it('reports request URLs without their query or fragment', () => {
    expect(withoutQuery('https://api.example.com/pay?card=1#x')).toBe(
      'https://api.example.com/pay',
    );
    expect(withoutQuery('/api/pay?x=1', 'https://app.example.com/')).toBe(
      'https://app.example.com/api/pay',
    );
  });
});
