import type { APIGatewayProxyEvent } from 'aws-lambda';
import { makeHandler as makeJwks } from '../../../lambda/handlers/jwks';
import { makeHandler as makeLogin } from '../../../lambda/handlers/login';
import { makeHandler as makeSignedOut } from '../../../lambda/handlers/signed-out';
import { makeHandler as makeStart } from '../../../lambda/handlers/start';
import type { AssertionKeyDeps } from '../../../lambda/handlers/key-runtime';
import { DependencyUnavailableError } from '../../../lambda/core/errors';
import { FakeAssertionSigner, settings, setup } from '../../support/flow-fakes';

const noLogs = { debug() {}, info() {}, warn() {}, error() {} };
const event = { requestContext: { requestId: 'req-1' } } as unknown as APIGatewayProxyEvent;

describe('GET /auth/jwks.json', () => {
  it('publishes the assertion key as a JWK Set, cacheable for five minutes', async () => {
    const signer = new FakeAssertionSigner();
    const deps: AssertionKeyDeps = { settings, logger: noLogs, assertionSigner: signer };
    const res = await makeJwks(deps)(event);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    expect(res.headers?.['Cache-Control']).toBe('public, max-age=300');
    const body = JSON.parse(res.body);
    expect(body).toEqual({ keys: [await signer.publicJwk()] });
    expect(Object.keys(body.keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(JSON.stringify(body)).not.toContain('"d"');
  });

  it('answers 503 JSON, not cached, when KMS is unavailable', async () => {
    const logs: unknown[] = [];
    const deps: AssertionKeyDeps = {
      settings,
      logger: { ...noLogs, warn: (_m: string, ...x: unknown[]) => logs.push(...x) },
      assertionSigner: {
        publicJwk: async () => {
          throw new DependencyUnavailableError('assertion_key_unavailable', 'KMS GetPublicKey failed');
        },
      },
    };
    const res = await makeJwks(() => deps)(event);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Cache-Control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({ error: 'assertion_key_unavailable' });
    expect(logs).toMatchObject([{ event: 'request_failed', route: 'GET /auth/jwks.json', reason: 'assertion_key_unavailable', status: 503 }]);
  });
});

describe('GET /', () => {
  it('is a plain, accessible start page with a prominent way to sign in', async () => {
    const res = await makeStart()();
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<html lang="en-GB">');
    expect(res.body.match(/<h1>/g)).toHaveLength(1);
    expect(res.body).toMatch(/<p>This service uses NHS login[^<]+<\/p>/);
    // nhsuk-frontend's login button, the first and most prominent way in.
    expect(res.body).toMatch(
      /<a\s+class="nhsuk-button nhsuk-button--login" data-module="nhsuk-button"\s+href="\/auth\/login" role="button" draggable="false">\s*Continue to NHS login\s*<\/a>/,
    );
    expect(res.body.indexOf('nhsuk-button--login')).toBeLessThan(res.body.indexOf('<footer'));
    expect(res.headers?.['Content-Security-Policy']).toMatch(/script-src 'self';/);
    expect(res.body).not.toMatch(/<script(?![^>]* src="\/auth\/assets\/)/i);
  });

  it('in the NHS App (its user agent) has no NHS header or footer', async () => {
    const inApp = await makeStart()({ headers: { 'User-Agent': 'Mozilla/5.0 (Linux; Android 15) nhsapp-android/3.2.0' } });
    expect(inApp.body).not.toContain('nhsuk-header');
    expect(inApp.body).not.toContain('nhsuk-footer');
    const web = await makeStart()({ headers: { 'User-Agent': 'Mozilla/5.0 (Linux; Android 15) Chrome/140' } });
    expect(web.body).toContain('class="nhsuk-header"');
  });
});

describe('GET /auth/timed-out', () => {
  const timedOut = (query: Record<string, string> | null, multi?: Record<string, string[]>) =>
    makeSignedOut()({ resource: '/auth/timed-out', queryStringParameters: query, multiValueQueryStringParameters: multi ?? null, headers: {} });

  it('offers "Sign in again" back to where the user was', async () => {
    const res = await timedOut({ returnTo: '/app/appointments?day=monday' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>For your security, you have been signed out</h1>');
    expect(res.body).toContain('href="/auth/login?returnTo=%2Fapp%2Fappointments%3Fday%3Dmonday"');
  });

  it('without returnTo signs in again to the start', async () => {
    expect((await timedOut(null)).body).toContain('href="/auth/login"');
  });

  it.each([['https://elsewhere.example/'], ['//elsewhere.example'], ['/auth/login'], ['relative']])(
    'refuses returnTo %s with the bad link page',
    async (returnTo) => {
      const res = await timedOut({ returnTo });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('<h1>Sorry, there is a problem with this link</h1>');
      expect(res.body).not.toContain(returnTo);
    },
  );

  it('refuses a repeated returnTo', async () => {
    expect((await timedOut({ returnTo: '/b' }, { returnTo: ['/a', '/b'] })).statusCode).toBe(400);
  });

  it('is not the signed-out page, which the same function answers at its own route', async () => {
    const signedOut = await makeSignedOut()({ resource: '/auth/signed-out', headers: {} });
    expect(signedOut.body).toContain('<h1>You have signed out</h1>');
  });
});

describe('error pages', () => {
  it("link to the stage's start page (settings.startPath), through httpHandler", async () => {
    const { deps } = setup();
    deps.settings = { ...deps.settings, startPath: '/static/start' };
    const res = await makeLogin(deps)({ ...event, queryStringParameters: { returnTo: 'https://evil.example/' } } as APIGatewayProxyEvent);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<a href="/static/start">Go to the start page</a>');
  });
});
