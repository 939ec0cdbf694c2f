/**
 * In-memory fakes of the ports, shared by the flow tests: the flows' decisions in isolation. The real adapters
 * are tested against moto and the simulator (test/lambda/adapters, test/integration).
 */
import { generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { rfc7638Thumbprint } from '../../lambda/adapters/jwk';
import type { FlowDeps } from '../../lambda/core/flows';
import { AssertionCache } from '../../lambda/core/identity-assertion';
import type { MetricName } from '../../lambda/core/metrics-catalogue';
import type {
  AuthorizationRequest,
  EcPublicJwk,
  IdentityAssertionSigner,
  IdentityProvider,
  SessionStore,
  SignInMetrics,
  VerifiedIdentity,
} from '../../lambda/core/ports';
import type { SessionRecord, StoredAssertion } from '../../lambda/core/session';
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
  touches: Array<{ idHash: string; lastSeenAt: number; expiresAt: number }> = [];
  savedAssertions: Array<{ idHash: string; assertions: Record<string, StoredAssertion> }> = [];
  async touchSession(idHash: string, lastSeenAt: number, expiresAt: number) {
    this.touches.push({ idHash, lastSeenAt, expiresAt });
    const s = this.sessions.get(idHash);
    if (s && !this.ended.has(idHash)) this.sessions.set(idHash, { ...s, lastSeenAt, expiresAt });
  }
  async deleteSession(h: string) {
    this.sessions.delete(h);
    this.ended.delete(h);
  }
  /** The sessions marked ended, as the table's conditional `endedAt` write marks them: once each. */
  ended = new Map<string, number>();
  async endSession(h: string, endedAt: number) {
    if (!this.sessions.has(h) || this.ended.has(h)) return false;
    this.ended.set(h, endedAt);
    return true;
  }
  async saveAssertions(idHash: string, assertions: Readonly<Record<string, StoredAssertion>>) {
    this.savedAssertions.push({ idHash, assertions: { ...assertions } });
    const s = this.sessions.get(idHash);
    if (s) this.sessions.set(idHash, { ...s, assertions: { ...assertions } });
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

/** The metrics a flow recorded, in order (`name` or `name{k=v,...}`), and how often they were flushed. */
export class MemoryMetrics implements SignInMetrics {
  recorded: string[] = [];
  flushes = 0;
  count(name: MetricName, dimensions: object) {
    this.recorded.push(MemoryMetrics.label(name, dimensions));
  }
  duration(name: MetricName, dimensions: object) {
    this.recorded.push(MemoryMetrics.label(name, dimensions));
  }
  flush() {
    this.flushes += 1;
  }
  static label(name: string, dimensions: object): string {
    const entries = Object.entries(dimensions);
    return entries.length ? `${name}{${entries.map(([k, v]) => `${k}=${String(v)}`).join(',')}}` : name;
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

/**
 * The assertion key as a local P-256 key pair: signs ES256 in the JWS form, as the KMS adapter returns it, and
 * counts the signatures (the cache tests count KMS calls this way).
 */
export class FakeAssertionSigner implements IdentityAssertionSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  signs = 0;
  failing = false;
  constructor() {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  }
  async publicJwk(): Promise<EcPublicJwk> {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, kid: rfc7638Thumbprint(jwk), alg: 'ES256', use: 'sig' };
  }
  async sign(message: Uint8Array) {
    if (this.failing) throw new Error('KMS down');
    this.signs += 1;
    return nodeSign('sha256', message, { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
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
  protectedRoutes: {
    '/api/me': { kind: 'api', assurance: 'standard', methods: {} },
    '/app': { kind: 'page', assurance: 'standard', methods: { POST: 'high' }, audience: 'https://rp.example/app' },
    '/app/{proxy+}': { kind: 'page', assurance: 'standard', methods: { POST: 'high' }, audience: 'https://rp.example/app' },
    '/api/records': { kind: 'api', assurance: 'standard', methods: { POST: 'high' }, audience: 'https://rp.example/api/records' },
    '/api/records/{proxy+}': { kind: 'api', assurance: 'standard', methods: { POST: 'high' }, audience: 'https://rp.example/api/records' },
  },
  startPath: '/',
  assertionKeyId: 'assertion-key',
  assertionLifetimeSeconds: 300,
  nhsLoginSettingsUrl: 'https://settings.example/manage',
};

export function setup(now = 1_800_000_000_000) {
  const store = new MemoryStore();
  const provider = new FakeProvider();
  const assertionSigner = new FakeAssertionSigner();
  const metrics = new MemoryMetrics();
  let n = 0;
  const deps: FlowDeps = {
    settings,
    store,
    provider,
    assertionSigner,
    assertionCache: new AssertionCache(),
    clock: () => now,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    metrics,
    newId: () => `id${String(++n).padStart(41, '0')}`,
  };
  return { deps, store, provider, assertionSigner, metrics };
}

/** The transaction id from a response's `__Host-signin` cookie. */
export const txnIdFrom = (cookies: string[]) => /__Host-signin=([^;]+)/.exec(cookies.join(';'))![1]!;
