// The authorization server's own login "interaction": a plain username/password form for the demo
// users, served at oidc-provider's interaction URL (/interaction/:uid). There is no consent screen:
// the demo client is first-party, so a consent prompt (only reachable with prompt=consent, since
// loadExistingGrant grants everything requested) is approved automatically.
import { createHash, timingSafeEqual } from 'node:crypto';

import { ACR_MFA, ACR_PASSWORD, MFA_CODE } from './defaults.mjs';
import { readForm, sendHtml } from './http-utils.mjs';
import { errorPage, loginPage, mfaPage } from './pages.mjs';

/** Timing-safe comparison; hashing first makes the lengths equal. */
function constantEquals(a, b) {
  const digest = (v) => createHash('sha256').update(String(v)).digest();
  return timingSafeEqual(digest(a), digest(b));
}

const ROUTE = /^\/interaction\/([\w-]+)(?:\/(login|mfa|abort))?$/;

/**
 * @param {object} o
 * @param {object} [o.stepUp] counters of step-up.mjs (mfaPrompted(), mfaCompleted())
 */
export function createInteractions({ provider, users, stepUp }) {
  // Interactions whose password was right and that wait for the second factor: uid -> accountId.
  const awaitingCode = new Map();

  function checkCredentials(login, password) {
    const user = Object.hasOwn(users, login) ? users[login] : undefined;
    // Compare even for unknown users so timing does not reveal which logins exist.
    const ok = constantEquals(String(password ?? ''), user?.password ?? '\0no-user');
    return ok && user ? login : undefined;
  }

  async function approveConsent(req, res, details) {
    const {
      prompt: { details: missing },
      params,
      session,
    } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  async function handle(req, res, url) {
    const match = ROUTE.exec(url.pathname);
    if (!match) {
      sendHtml(res, 404, errorPage({ error: 'not_found' }));
      return;
    }
    const [, uid, action] = match;

    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      // Cookie missing or interaction expired (10 min): the user has to start from the app again.
      sendHtml(
        res,
        400,
        errorPage({
          error: 'invalid_request',
          error_description:
            'The sign-in request is unknown or has expired. Go back to the application and try again.',
        }),
      );
      return;
    }
    if (details.uid !== uid) {
      sendHtml(
        res,
        400,
        errorPage({ error: 'invalid_request', error_description: 'interaction mismatch' }),
      );
      return;
    }

    const clientId = details.params.client_id;
    if (req.method === 'GET' && !action) {
      if (details.prompt.name === 'login') {
        sendHtml(res, 200, loginPage({ uid, clientId, users }));
      } else {
        await approveConsent(req, res, details);
      }
      return;
    }

    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const accountId = checkCredentials(form.login, form.password);
      if (!accountId) {
        sendHtml(
          res,
          401,
          loginPage({
            uid,
            clientId,
            users,
            error: 'Invalid username or password.',
            login: form.login,
          }),
        );
        return;
      }
      const wanted = String(details.params.acr_values ?? '').split(' ');
      if (wanted.includes(ACR_MFA)) {
        // Step-up: the password is not enough for this request; ask for the one-time code.
        awaitingCode.set(uid, accountId);
        stepUp?.mfaPrompted();
        sendHtml(res, 200, mfaPage({ uid }));
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId, acr: ACR_PASSWORD, amr: ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (req.method === 'POST' && action === 'mfa') {
      const accountId = awaitingCode.get(uid);
      if (!accountId) {
        sendHtml(
          res,
          400,
          errorPage({ error: 'invalid_request', error_description: 'no code was asked for' }),
        );
        return;
      }
      const form = await readForm(req);
      if (!constantEquals(String(form.code ?? ''), MFA_CODE)) {
        sendHtml(res, 401, mfaPage({ uid, error: 'Wrong code.' }));
        return;
      }
      awaitingCode.delete(uid);
      stepUp?.mfaCompleted();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId, acr: ACR_MFA, amr: ['pwd', 'otp'] } },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (req.method === 'POST' && action === 'abort') {
      await provider.interactionFinished(
        req,
        res,
        {
          error: 'access_denied',
          error_description: 'End-User aborted interaction',
        },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    sendHtml(res, 405, errorPage({ error: 'method_not_allowed' }), {
      Allow: action ? 'POST' : 'GET',
    });
  }

  return { handle };
}
