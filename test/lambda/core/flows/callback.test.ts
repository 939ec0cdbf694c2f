import { completeCallback, startLogin, type FlowDeps } from '../../../../lambda/core/flows';
import { hashId } from '../../../../lambda/core/ids';
import { newSession, sessionPolicy } from '../../../../lambda/core/session';
import { setup, txnIdFrom, type FakeProvider, type MemoryStore } from '../../../support/flow-fakes';

/** The callback as NHS login sends it after a successful sign-in: a code and the transaction's state. */
const withCode = (deps: FlowDeps, state: string, transactionId: string) =>
  completeCallback(deps, {
    query: [
      ['code', 'x'],
      ['state', state],
    ],
    transactionId,
  });

describe('sso_login_required fallback', () => {
  it('falls back once to an interactive sign-in, then never again', async () => {
    const { deps, provider } = setup();
    const first = await startLogin(deps, { assertedLoginIdentity: 'a.b.c' });
    expect(provider.requests[0]).toMatchObject({ prompt: 'none', assertedLoginIdentity: 'a.b.c' });
    const state1 = provider.requests[0]!.state;
    const fallback = await completeCallback(deps, {
      query: [
        ['error', 'sso_login_required'],
        ['state', state1],
      ],
      transactionId: txnIdFrom(first.cookies),
    });
    expect(fallback.statusCode).toBe(302);
    expect(provider.requests[1]).toMatchObject({ prompt: undefined, assertedLoginIdentity: undefined });
    const state2 = provider.requests[1]!.state;
    await expect(
      completeCallback(deps, {
        query: [
          ['error', 'sso_login_required'],
          ['state', state2],
        ],
        transactionId: txnIdFrom(fallback.cookies),
      }),
    ).rejects.toMatchObject({ reason: 'authorization_error_sso_login_required' });
    expect(provider.requests).toHaveLength(2);
  });
});

describe('callback checks', () => {
  async function begin(deps: FlowDeps, provider: FakeProvider, input = {}) {
    const res = await startLogin(deps, { assurance: 'high', ...input });
    return { txnId: txnIdFrom(res.cookies), state: provider.requests.at(-1)!.state };
  }

  it('refuses a vot that was not requested', async () => {
    const { deps, provider, store } = setup();
    provider.identity = { idTokenClaims: { sub: 's', vot: 'P5.Cp.Cd' }, userInfo: { sub: 's' } };
    const { txnId, state } = await begin(deps, provider);
    await expect(withCode(deps, state, txnId)).rejects.toMatchObject({ reason: 'vot_not_requested' });
    expect(store.sessions.size).toBe(0);
  });

  it('after prompt=login, requires a fresh auth_time', async () => {
    const now = 1_800_000_000_000;
    const { deps, provider, store } = setup(now);
    // an existing P5 session makes the next high login a step-up
    store.sessions.set(hashId('s'.repeat(43)), {
      sub: 's',
      vot: 'P5.Cp.Cd',
      claims: {},
      createdAt: now / 1000,
      lastSeenAt: now / 1000,
      absoluteExpiresAt: now / 1000 + 100,
      expiresAt: now / 1000 + 100,
    });
    const { txnId, state } = await begin(deps, provider, { sessionId: 's'.repeat(43) });
    expect(provider.requests.at(-1)!.prompt).toBe('login');
    provider.identity = { idTokenClaims: { sub: 's', vot: 'P9.Cp.Cd', auth_time: now / 1000 - 3600 }, userInfo: {} };
    await expect(withCode(deps, state, txnId)).rejects.toMatchObject({ reason: 'auth_time_not_fresh' });

    const again = await begin(deps, provider, { sessionId: 's'.repeat(43) });
    provider.identity = { idTokenClaims: { sub: 's', vot: 'P9.Cp.Cd', auth_time: now / 1000 }, userInfo: {} };
    const ok = await completeCallback(deps, {
      query: [
        ['code', 'x'],
        ['state', again.state],
      ],
      transactionId: again.txnId,
      sessionId: 's'.repeat(43),
    });
    expect(ok.statusCode).toBe(302);
    expect([...store.sessions.values()].map((s) => s.vot)).toEqual(['P9.Cp.Cd']);
  });

  it('refuses an expired transaction', async () => {
    const { deps, provider } = setup();
    const { txnId, state } = await begin(deps, provider);
    deps.clock = () => 1_800_000_000_000 + 601_000;
    await expect(withCode(deps, state, txnId)).rejects.toMatchObject({ reason: 'transaction_expired' });
  });

  it('shows the no-consent page only for access_denied / ConsentNotGiven', async () => {
    const { deps, provider } = setup();
    let t = await begin(deps, provider);
    await expect(
      completeCallback(deps, {
        query: [
          ['error', 'access_denied'],
          ['error_description', 'ConsentNotGiven'],
          ['state', t.state],
        ],
        transactionId: t.txnId,
      }),
    ).rejects.toMatchObject({ name: 'ConsentNotGivenError', status: 403 });
    t = await begin(deps, provider);
    await expect(
      completeCallback(deps, {
        query: [
          ['error', 'access_denied'],
          ['state', t.state],
        ],
        transactionId: t.txnId,
      }),
    ).rejects.toMatchObject({
      reason: 'authorization_error_access_denied',
    });
  });
});

describe('where the callback sends the user', () => {
  const NOW = 1_800_000_000_000;
  const OLD = 'o'.repeat(43);
  const TXN = 't'.repeat(43);

  /** A transaction as the store holds it, with `returnTo` as given (as an earlier version may have stored it). */
  const storeTransaction = (store: MemoryStore, returnTo: string, replacesSession?: string) =>
    store.putTransaction(hashId(TXN), {
      state: 'st',
      nonce: 'n',
      vtr: ['P9.Cp.Cd'],
      profile: 'high',
      returnTo,
      nhsApp: false,
      fallback: false,
      replacesSession,
      createdAt: NOW / 1000,
      expiresAt: NOW / 1000 + 600,
    });

  it('a returnTo that is not ASCII is percent-encoded in Location, and the one session written is the one delivered', async () => {
    const { deps, provider, store } = setup(NOW);
    const login = await startLogin(deps, { assurance: 'high', returnTo: '/app/\u2603?q=caf\u00e9' });
    const res = await withCode(deps, provider.requests.at(-1)!.state, txnIdFrom(login.cookies));
    expect(res.statusCode).toBe(302);
    expect(res.headers.Location).toBe('/app/%E2%98%83?q=caf%C3%A9');
    const sessionId = /__Host-session=([^;]+)/.exec(res.cookies.join(';'))![1]!;
    expect([...store.sessions.keys()]).toEqual([hashId(sessionId)]);
  });

  it.each([
    ['not ASCII (a transaction stored before the encoding)', '/app/\u2603', '/app/%E2%98%83'],
    ['already encoded', '/app/%E2%98%83', '/app/%E2%98%83'],
  ])('a stored returnTo %s is delivered encoded', async (_label, returnTo, location) => {
    const { deps, store } = setup(NOW);
    await storeTransaction(store, returnTo);
    const res = await withCode(deps, 'st', TXN);
    expect(res.headers.Location).toBe(location);
    expect(store.sessions.size).toBe(1);
  });

  it.each(['/a\r\nSet-Cookie: x=1', 'https://evil.example/', '/\ud800'])(
    'a stored returnTo that cannot be delivered (%j) is a 400 before anything is written or deleted',
    async (returnTo) => {
      const { deps, store } = setup(NOW);
      store.sessions.set(hashId(OLD), newSession({ sub: 's', vot: 'P9.Cp.Cd', claims: {} }, NOW / 1000, sessionPolicy(30, 720)));
      await storeTransaction(store, returnTo, hashId(OLD));
      await expect(withCode(deps, 'st', TXN)).rejects.toMatchObject({ reason: 'invalid_return_to', status: 400 });
      expect([...store.sessions.keys()]).toEqual([hashId(OLD)]);
    },
  );
});
