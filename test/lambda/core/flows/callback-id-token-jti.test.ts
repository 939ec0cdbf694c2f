import { completeCallback, startLogin } from '../../../../lambda/core/flows';
import { setup, txnIdFrom } from '../../../support/flow-fakes';

/** The callback keeps the ID token's `jti` in the session (the settings link asserts it), never the token. */
const NOW = 1_800_000_000_000;

async function signInWith(idTokenClaims: Record<string, unknown>) {
  const { deps, provider, store } = setup(NOW);
  provider.identity = { idTokenClaims: { sub: 's', vot: 'P9.Cp.Cd', auth_time: NOW / 1000, ...idTokenClaims }, userInfo: { sub: 's' } };
  const login = await startLogin(deps, { assurance: 'high', returnTo: '/' });
  const res = await completeCallback(deps, {
    query: [
      ['code', 'x'],
      ['state', provider.requests.at(-1)!.state],
    ],
    transactionId: txnIdFrom(login.cookies),
  });
  expect(res.statusCode).toBe(302);
  const [session] = [...store.sessions.values()];
  return session!;
}

describe('the session keeps the ID token jti', () => {
  it('as NHS login sent it', async () => {
    expect((await signInWith({ jti: '4f1c6a2e-5d1b-4c59-9b0e-2f6f3a1d7e10' })).idTokenJti).toBe('4f1c6a2e-5d1b-4c59-9b0e-2f6f3a1d7e10');
  });

  it.each([
    ['missing', {}],
    ['not a string', { jti: 42 }],
    ['empty', { jti: '' }],
    ['longer than 255 characters', { jti: 'j'.repeat(256) }],
  ])('not when it is %s (the settings link then goes unasserted)', async (_label, claims) => {
    const session = await signInWith(claims);
    expect(session.idTokenJti).toBeUndefined();
    expect(session.sub).toBe('s');
  });
});
