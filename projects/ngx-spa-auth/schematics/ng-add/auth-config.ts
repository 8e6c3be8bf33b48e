import { AuthSetup } from './options';
import { quote } from './source-edits';

/** The object literal passed to `provideAuth()` / `AuthModule.forRoot()`, one property per line. */
export function authConfigLiteral(setup: AuthSetup): string {
  const lines = [
    `issuer: ${quote(setup.issuer)},`,
    `clientId: ${quote(setup.clientId)},`,
    'redirectUri: `${location.origin}/callback`,',
    'postLogoutRedirectUri: `${location.origin}/`,',
    ...(setup.scope ? [`scope: ${quote(setup.scope)},`] : []),
    `allowedUrls: [${quote(setup.apiUrl)}],`,
  ];
  return `{\n${lines.map((line) => `  ${line}`).join('\n')}\n}`;
}
