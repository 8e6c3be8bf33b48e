// Tiny self-contained HTML pages for the authorization server. oidc-provider's stock pages import
// web fonts from the internet, which hangs or fails in offline browser tests, so every page the
// demo can reach is replaced here. No external assets, stable selectors for tests.

export function escapeHtml(value) {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) =>
      ({
        '&': '&amp;',
        '<': '&lt;',
        '>': '&gt;',
        '"': '&quot;',
        "'": '&#39;',
      })[c],
  );
}

const STYLE = `
  body { font: 16px/1.4 system-ui, sans-serif; background: #f4f5f7; margin: 0; }
  main { max-width: 22rem; margin: 3rem auto; background: #fff; padding: 1.5rem 2rem;
         border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
  h1 { font-size: 1.3rem; margin-top: 0; }
  label { display: block; margin: .75rem 0 .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .45rem; font: inherit; }
  button { margin-top: 1rem; width: 100%; padding: .55rem; font: inherit; cursor: pointer; }
  .error { color: #a00; background: #fee; padding: .5rem; border-radius: 4px; }
  .hint { color: #555; font-size: .9rem; }
  code { background: #eee; padding: 0 .2rem; }
  pre { white-space: pre-wrap; word-break: break-word; }
`;

export function layout(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function loginPage({ uid, clientId, users, error, login = '' }) {
  const userList = Object.keys(users)
    .map(
      (name) =>
        `<li><code>${escapeHtml(name)}</code> / <code>${escapeHtml(users[name].password)}</code></li>`,
    )
    .join('');
  return layout(
    'Sign in',
    `
<h1>Sign in</h1>
<p class="hint">to <strong>${escapeHtml(clientId)}</strong></p>
${error ? `<p class="error" role="alert" data-testid="login-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label for="login">Username</label>
  <input id="login" name="login" value="${escapeHtml(login)}" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button type="submit" data-testid="login-submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button type="submit" data-testid="login-cancel">Cancel</button>
</form>
<p class="hint">Demo users:</p>
<ul class="hint">${userList}</ul>`,
  );
}

/** The second factor (step-up): a one-time code, shown on the page because this is a demo. */
export function mfaPage({ uid, error }) {
  return layout(
    'Enter your code',
    `
<h1>Enter your code</h1>
<p class="hint">This action needs a second factor. Demo code: <code>123456</code></p>
${error ? `<p class="error" role="alert" data-testid="mfa-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/mfa" autocomplete="off">
  <label for="code">One-time code</label>
  <input id="code" name="code" inputmode="numeric" required autofocus>
  <button type="submit" data-testid="mfa-submit">Verify</button>
</form>`,
  );
}

/**
 * oidc-provider's RP-initiated logout asks "Do you want to sign out?" and POSTs its form.
 * The demo client logs out without a confirmation, so the form (which carries the XSRF secret)
 * is submitted by script with logout=yes, which also ends the session for every client.
 */
export function logoutAutoSubmitPage(form) {
  const withLogout = form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"/></form>',
  );
  return layout(
    'Signing out',
    `
<h1>Signing out…</h1>
${withLogout}
<noscript><button type="submit" form="op.logoutForm">Continue</button></noscript>
<script>document.getElementById('op.logoutForm').submit();</script>`,
  );
}

export function loggedOutPage(clientName) {
  return layout(
    'Signed out',
    `
<h1 data-testid="signed-out">Signed out</h1>
<p>Your sign-out${clientName ? ` from ${escapeHtml(clientName)}` : ''} was successful.</p>`,
  );
}

export function errorPage(out) {
  const rows = Object.entries(out)
    .map(([k, v]) => `<pre><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</pre>`)
    .join('');
  return layout('Error', `<h1 data-testid="op-error">Something went wrong</h1>${rows}`);
}
