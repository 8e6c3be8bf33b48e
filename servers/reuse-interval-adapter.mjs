// oidc-provider storage with a refresh-token reuse interval (grace period).
//
// Stock oidc-provider (lib/actions/grants/refresh_token.js) treats ANY presentation of a consumed
// refresh token as reuse: it destroys the token, revokes the whole grant and answers
// 400 invalid_grant. Many real providers (Auth0, Okta, ...) accept the previous token for a few
// seconds after rotation so that a client whose response got lost, or two racing tabs, do not kill
// the session. We emulate that here, at the only seam oidc-provider offers: the adapter.
//
// The grant handler only looks at `refreshToken.consumed` (model built from what `find()` returns)
// and calls `adapter.consume(jti)` when rotating. So:
//   - find(): a consumed RefreshToken within `reuseInterval` seconds of its FIRST consumption is
//     returned without `consumed`, and the handler rotates it again (a fresh child token);
//   - consume(): keeps the first consumption time, so repeated reuse cannot extend the window.
// Outside the window the stored payload is returned untouched and stock reuse detection applies.
//
// Deep imports: oidc-provider has no "exports" map, and the version is pinned exactly in
// package.json; re-check these files when upgrading it.
import { AsyncLocalStorage } from 'node:async_hooks';

import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';

// The stock LRU holds 1000 entries; a benchmark doing thousands of refreshes would evict live
// tokens and grant indexes and produce confusing "not found" errors.
const STORE_SIZE = 200_000;

/**
 * Set while oidc-provider handles a revocation request. Stock revocation of a refresh token
 * (lib/actions/revocation.js) destroys it and then revokes every token of its grant through
 * `revokeByGrantId`; with the `'token'` revocation scope the adapter skips that, so only the
 * token given is revoked, as RFC 7009 §2.1 also allows.
 */
export const revocationRequest = new AsyncLocalStorage();

/** Private bookkeeping kept next to oidc-provider's payload; models ignore unknown keys. */
const CONSUMED_AT_MS = '_consumedAtMs';

export class ReuseIntervalAdapter extends MemoryAdapter {
  #state;

  constructor(model, state) {
    super(model, state.store, state.clockTolerance);
    this.#state = state;
  }

  async find(id) {
    const payload = await super.find(id);
    if (this.model !== 'RefreshToken' || !payload?.consumed) return payload;
    if (!this.#state.isWithinReuseInterval(payload[CONSUMED_AT_MS])) return payload;
    // A copy: the stored payload must stay consumed for reuse outside the window.
    const { consumed, ...active } = payload;
    return active;
  }

  async consume(id) {
    const payload = this.storage.get(this.key(id));
    if (payload?.consumed) return; // keep the first consumption time
    await super.consume(id);
    // Whole seconds (oidc-provider's `consumed`) are too coarse for a 1 s window.
    this.storage.get(this.key(id))[CONSUMED_AT_MS] = Date.now();
  }

  async upsert(id, payload, expiresIn) {
    await super.upsert(id, payload, expiresIn);
    this.#state.index(this.model, id, payload);
  }

  async revokeByGrantId(grantId) {
    if (revocationRequest.getStore() && this.#state.revocationScope === 'token') return;
    await super.revokeByGrantId(grantId);
  }

  async destroy(id) {
    const payload = this.storage.get(this.key(id));
    await super.destroy(id);
    if (payload) this.#state.unindex(this.model, id, payload);
  }
}

/**
 * One storage per provider instance (the stock adapter uses a module-level singleton, which
 * would make two servers in one process, e.g. parallel tests, share state).
 *
 * Also indexes grants and sessions by account, because the admin-style "revoke user" control
 * needs them and the memory store cannot be queried by accountId.
 */
export function createStorage({
  reuseInterval = 0,
  clockTolerance = 0,
  revocationScope = 'grant',
} = {}) {
  const store = new LRU({ maxSize: STORE_SIZE });
  const byAccount = { Grant: new Map(), Session: new Map() };

  const state = {
    store,
    clockTolerance,
    reuseInterval,
    /** `'grant'` (stock): revoking a refresh token revokes its whole grant; `'token'`: that token only. */
    revocationScope,
    isWithinReuseInterval(consumedAtMs) {
      if (!(state.reuseInterval > 0) || typeof consumedAtMs !== 'number') return false;
      return Date.now() - consumedAtMs < state.reuseInterval * 1000;
    },
    index(model, id, payload) {
      const map = byAccount[model];
      if (!map || !payload.accountId) return;
      if (!map.has(payload.accountId)) map.set(payload.accountId, new Set());
      map.get(payload.accountId).add(id);
    },
    unindex(model, id, payload) {
      byAccount[model]?.get(payload.accountId)?.delete(id);
    },
  };

  return {
    /** Factory in the shape oidc-provider's `adapter` configuration accepts. */
    adapterFactory: (model) => new ReuseIntervalAdapter(model, state),
    get reuseInterval() {
      return state.reuseInterval;
    },
    set reuseInterval(seconds) {
      state.reuseInterval = seconds;
    },
    get revocationScope() {
      return state.revocationScope;
    },
    set revocationScope(scope) {
      state.revocationScope = scope;
    },
    grantIdsOf(accountId) {
      return [...(byAccount.Grant.get(accountId) ?? [])];
    },
    sessionIdsOf(accountId) {
      return [...(byAccount.Session.get(accountId) ?? [])];
    },
    /** Raw stored payload, for the monitor (never exposed over HTTP). */
    peek(model, id) {
      return store.get(`${model}:${id}`);
    },
  };
}
