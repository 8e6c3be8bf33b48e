// jsdom lacks fetch, Response and crypto.subtle; oauth4webapi needs them. Lend Node's, including
// ArrayBuffer/Uint8Array so `instanceof` checks on WebCrypto results hold across realms, and URL and
// ReadableStream: oauth4webapi's resource requests (userinfo) check `instanceof` on both.
const { TestEnvironment } = require('jest-environment-jsdom');
const { webcrypto } = require('node:crypto');
const { TextEncoder, TextDecoder } = require('node:util');

class JsdomWithWebPlatform extends TestEnvironment {
  async setup() {
    await super.setup();
    const g = this.global;
    Object.assign(g, {
      fetch,
      Request,
      Response,
      Headers,
      FormData,
      AbortController,
      AbortSignal,
      TextEncoder,
      TextDecoder,
      ArrayBuffer,
      Uint8Array,
      URL,
      ReadableStream,
      structuredClone,
      CryptoKey: globalThis.CryptoKey,
    });
    Object.defineProperty(g, 'crypto', { value: webcrypto, configurable: true });
  }
}

module.exports = JsdomWithWebPlatform;
