import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startDemoBackend, type DemoBackend, type DemoReply } from '../../local/demo-backend';

/**
 * The demo backend on its own: it reports what it received and verifies the identity assertion as a real backend
 * must (ES256 against the JWKS, the relying party as `iss`, a mount as `aud`, `exp`), against a stand-in JWKS.
 */
const ISSUER = 'http://localhost:1234';
const AUDIENCES = [`${ISSUER}/app`, `${ISSUER}/api/demo`];
let jwksServer: Server;
let demo: DemoBackend;
let key: CryptoKey;
let otherKey: CryptoKey;
let jwk: JWK;

beforeAll(async () => {
  ({ privateKey: key, publicKey: jwk } = await generateKeyPair('ES256').then(async (pair) => ({
    privateKey: pair.privateKey,
    publicKey: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' },
  })));
  otherKey = (await generateKeyPair('ES256')).privateKey;
  jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  demo = await startDemoBackend();
});
afterAll(async () => {
  await demo?.stop();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

const trust = () =>
  demo.trust({ issuer: ISSUER, audiences: AUDIENCES, jwksUrl: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json` });

/** A raw request (header pairs as given, odd names included). */
function send(path: string, headers: string[] = [], method = 'GET'): Promise<{ status: number; reply: DemoReply }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: demo.port, path, method, headers: ['Host', `127.0.0.1:${demo.port}`, ...headers] }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reply: JSON.parse(body) as DemoReply }));
    });
    req.on('error', reject);
    req.end();
  });
}

const assertion = (claims: Record<string, unknown> = {}, options: { key?: CryptoKey; exp?: string | number | null } = {}) => {
  const jwt = new SignJWT({ sub: 'someone', iss: ISSUER, ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt();
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? '5m');
  return jwt.sign(options.key ?? key);
};

it('answers every request with what it received, header names lower-cased', async () => {
  const { status, reply } = await send('/some/path?x=1&x=2&y=%20', ['X-Custom', 'A', 'x-custom', 'B', '__proto__', 'odd', 'constructor', 'odd'], 'POST');
  expect(status).toBe(200);
  expect(reply).toMatchObject({ backend: 'demo', method: 'POST', path: '/some/path', query: 'x=1&x=2&y=%20', verified: false, claims: null });
  expect(reply.headers['x-custom']).toBe('A, B');
  expect(Object.keys(reply.headers)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'host']));
  expect(demo.received().at(-1)).toEqual(reply);
});

it('verifies nothing before it knows whom to trust', async () => {
  const { reply } = await send('/', ['X-NHS-Login-Assertion', await assertion({ aud: AUDIENCES[0] })]);
  expect(reply.verified).toBe(false);
});

describe('with the relying party trusted', () => {
  beforeAll(trust);

  it.each(AUDIENCES)('a good assertion for %s verifies; its claims are reported', async (aud) => {
    const { reply } = await send('/', ['X-NHS-Login-Assertion', await assertion({ aud })]);
    expect(reply.verified).toBe(true);
    expect(reply.claims).toMatchObject({ iss: ISSUER, aud, sub: 'someone' });
  });

  it.each<[string, () => Promise<string>]>([
    ['another audience', () => assertion({ aud: `${ISSUER}/elsewhere` })],
    ['no audience', () => assertion()],
    ['another issuer', () => assertion({ aud: AUDIENCES[0], iss: 'http://localhost:9999' })],
    ['expired', () => assertion({ aud: AUDIENCES[0] }, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['no exp', () => assertion({ aud: AUDIENCES[0] }, { exp: null })],
    ['another key', () => assertion({ aud: AUDIENCES[0] }, { key: otherKey })],
    ['not a JWT', async () => 'not-a-jwt'],
    ['unsigned', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"aud":"${AUDIENCES[0]}"}`).toString('base64url')}.`],
  ])('%s: not verified, no claims', async (_label, make) => {
    const { reply } = await send('/', ['X-NHS-Login-Assertion', await make()]);
    expect(reply).toMatchObject({ verified: false, claims: null });
  });
});
