import { startLogin } from '../../../../lambda/core/flows';
import { settings, setup } from '../../../support/flow-fakes';

describe('PKCE switch', () => {
  it('sends S256 PKCE by default and nothing when the stage turns it off', async () => {
    const on = setup();
    await startLogin(on.deps, {});
    expect(on.provider.requests[0]!.codeChallenge).toBe('challenge-verifier');
    expect([...on.store.txns.values()][0]!.codeVerifier).toBe('verifier');

    const off = setup();
    off.deps.settings = { ...settings, pkce: false };
    await startLogin(off.deps, {});
    expect(off.provider.requests[0]!.codeChallenge).toBeUndefined();
    expect([...off.store.txns.values()][0]!.codeVerifier).toBeUndefined();
  });
});
