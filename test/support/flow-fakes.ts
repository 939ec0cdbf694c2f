/**
 * In-memory fakes of the two ports, shared by the flow tests: the flows' decisions in isolation. The real adapters
 * are tested against moto and the simulator (test/lambda/adapters, test/integration).
 */
import type { FlowDeps } from '../../lambda/core/flows';
import type { AuthorizationRequest, IdentityProvider, SessionStore, VerifiedIdentity } from '../../lambda/core/ports';
import type { SessionRecord } from '../../lambda/core/session';
import type { LoginTransaction } from '../../lambda/core/transaction';
import type { RuntimeSettings } from '../../lambda/settings';

export class MemoryStore implements SessionStore {
  sessions = new Map<string, SessionRecord>();
  txns = new Map<string, LoginTransaction>();
  async putSession(h: string, s: SessionRecord) {
    this.sessions.set(h, s);
  }
  async getSession(h: string) {
    return this.sessions.get(h);
  }
  async touchSession() {}
  async deleteSession(h: string) {
    this.sessions.delete(h);
  }
  async putTransaction(h: string, t: LoginTransaction) {
    this.txns.set(h, t);
  }
  async consumeTransaction(h: string) {
    const t = this.txns.get(h);
    this.txns.delete(h);
    return t;
  }
}

export class FakeProvider implements IdentityProvider {
  requests: AuthorizationRequest[] = [];
  identity: VerifiedIdentity = { idTokenClaims: { sub: 'sub-1', vot: 'P9.Cp.Cd', auth_time: 0 }, userInfo: { sub: 'sub-1' } };
  async authorizationUrl(r: AuthorizationRequest) {
    this.requests.push(r);
    return `https://nhs.example/authorize?state=${r.state}`;
  }
  async pkceChallenge(v: string) {
    return `challenge-${v}`;
  }
  randomPkceVerifier() {
    return 'verifier';
  }
  async exchangeCode() {
    return this.identity;
  }
}

export const settings: RuntimeSettings = {
  stage: 'local',
  issuer: 'http://127.0.0.1:1',
  clientId: 'c',
  redirectUri: 'https://rp.example/auth/callback',
  scopes: ['openid'],
  assuranceProfiles: { standard: ['P5.Cp.Cd'], high: ['P9.Cp.Cd'] },
  defaultAssuranceProfile: 'standard',
  pkce: true,
  httpTimeoutMs: 1000,
  sessionClaims: [],
  sessionTableName: 't',
  signingKeyId: 'k',
  sessionIdleMinutes: 30,
  sessionAbsoluteMinutes: 720,
  apiRouteAssurance: {},
};

export function setup(now = 1_800_000_000_000) {
  const store = new MemoryStore();
  const provider = new FakeProvider();
  let n = 0;
  const deps: FlowDeps = {
    settings,
    store,
    provider,
    clock: () => now,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    newId: () => `id${String(++n).padStart(41, '0')}`,
  };
  return { deps, store, provider };
}

/** The transaction id from a response's `__Host-signin` cookie. */
export const txnIdFrom = (cookies: string[]) => /__Host-signin=([^;]+)/.exec(cookies.join(';'))![1]!;
