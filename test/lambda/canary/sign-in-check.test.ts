import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { SinkLogger } from '../../../lambda/adapters/logger';
import {
  SIGN_IN_CHECK_BUILD_OPTIONS,
  SIGN_IN_CHECK_BUNDLE_FILE,
  SIGN_IN_CHECK_ENTRY,
  SIGN_IN_CHECK_ENV,
  SIGN_IN_CHECK_HANDLER,
  signInCheckEnvironment,
} from '../../../lambda/canary/bundle';
import { handler } from '../../../lambda/canary/index';
import { readSignInCheckSettings } from '../../../lambda/canary/settings';
import { runSignInCheck, SignInCheckConfigError, type SignInCheckOptions } from '../../../lambda/canary/sign-in-check';
import { startLocalStack, type LocalStack } from '../../../local/stack';

/**
 * The synthetic sign-in check against the real local stack (moto, the simulator, the real handlers behind the
 * local front): it passes on a healthy stack and fails, naming the step and what was expected, when something is
 * broken. The front listens on 127.0.0.1 (its `localhost` URL may resolve to ::1 first).
 */
let stack: LocalStack;
let serviceUrl: string;
const check = (overrides: Partial<SignInCheckOptions> = {}) =>
  runSignInCheck({ serviceUrl, issuer: stack.issuer, pkce: true, fetch: (url, init) => fetch(url, init), timeoutMs: 3000, ...overrides });
const failures = async (overrides: Partial<SignInCheckOptions> = {}) =>
  (await check(overrides)).steps.filter((s) => !s.ok).map((s) => `${s.step}: ${s.message}`);

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, autoUser: 'p9', logger: SinkLogger.create(() => undefined) });
  serviceUrl = `http://127.0.0.1:${stack.port}`;
});
afterAll(() => stack?.stop());

describe('runSignInCheck against the local stack', () => {
  it('passes: discovery names the issuer, /auth/login redirects to authorize with state, nonce, vtr and PKCE, /auth/session is 401 JSON', async () => {
    const result = await check();
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual([
      ['discovery', true],
      ['login', true],
      ['session', true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.steps[1]!.message).toMatch(/PKCE S256/);
  });

  it('never signs anyone in: three GETs without credentials or cookies, and the redirect to NHS login is not followed', async () => {
    const requests: Array<{ url: string; init: RequestInit }> = [];
    const result = await check({
      fetch: (url, init) => {
        requests.push({ url, init });
        return fetch(url, init);
      },
    });
    expect(result.ok).toBe(true);
    expect(requests.map((r) => [r.init.method, r.url])).toEqual([
      ['GET', `${stack.issuer}/.well-known/openid-configuration`],
      ['GET', `${serviceUrl}/auth/login`],
      ['GET', `${serviceUrl}/auth/session`],
    ]);
    for (const { init } of requests) {
      expect(init.redirect).toBe('manual');
      expect(Object.keys(init.headers as Record<string, string>)).toEqual(['accept']);
    }
  });

  it('fails on the discovery step, and says so, when the configured issuer is not the one the document names', async () => {
    expect(await failures({ issuer: `${stack.issuer}/` })).toEqual([
      `discovery: the discovery document names issuer ${JSON.stringify(stack.issuer)}, expected ${JSON.stringify(`${stack.issuer}/`)}`,
      "login: GET /auth/login redirected, but where to cannot be checked: NHS login's discovery document is unavailable",
    ]);
  });

  it('fails when the redirect goes to another authorization endpoint than the issuer names', async () => {
    // Another provider's discovery document, naming an authorization endpoint that is not the one the service uses.
    const other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ issuer: `http://127.0.0.1:${(other.address() as AddressInfo).port}`, authorization_endpoint: 'https://elsewhere.example/authorize' }),
      );
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const issuer = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const [failure, ...rest] = await failures({ issuer });
      expect(failure).toMatch(
        /^login: GET \/auth\/login redirected to http:\/\/127\.0\.0\.1:\d+\/authorize, expected the authorization endpoint https:\/\/elsewhere\.example\/authorize$/,
      );
      expect(rest).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('fails on discovery with NHS login down, and passes again once it is back', async () => {
    await check(); // the login function has discovered NHS login: it still redirects while NHS login is down
    await stack.simulator.takeDown();
    try {
      const [failure, ...rest] = await failures();
      expect(failure).toMatch(new RegExp(`^discovery: could not reach ${stack.issuer.replace(/[.]/g, '\\.')} \\(.+\\)$`));
      // Where the login redirects cannot be checked without the document; the session step does not depend on it.
      expect(rest).toEqual(["login: GET /auth/login redirected, but where to cannot be checked: NHS login's discovery document is unavailable"]);
    } finally {
      await stack.simulator.bringUp();
    }
    expect((await check()).ok).toBe(true);
  });

  it('fails the login and session steps when the service does not answer in time', async () => {
    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
      expect(await failures({ serviceUrl: url, timeoutMs: 300 })).toEqual([
        `login: no answer from ${url} within 300 ms`,
        `session: no answer from ${url} within 300 ms`,
      ]);
    } finally {
      hung.closeAllConnections();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });

  it('fails the login step when PKCE is expected and the service does not send it', async () => {
    const noPkce = await startLocalStack({ port: 0, logger: SinkLogger.create(() => undefined), settings: { pkce: false } });
    try {
      const options = {
        serviceUrl: `http://127.0.0.1:${noPkce.port}`,
        issuer: noPkce.issuer,
        fetch: (url: string, init: RequestInit) => fetch(url, init),
        timeoutMs: 3000,
      };
      const expecting = await runSignInCheck({ ...options, pkce: true });
      expect(expecting.steps.filter((s) => !s.ok).map((s) => `${s.step}: ${s.message}`)).toEqual([
        'login: the authorization request has no S256 code_challenge (PKCE is on)',
      ]);
      expect((await runSignInCheck({ ...options, pkce: false })).ok).toBe(true);
    } finally {
      await noPkce.stop();
    }
  });

  it('refuses unusable options before any request', async () => {
    const fetchSpy = jest.fn();
    const options = { serviceUrl, issuer: stack.issuer, pkce: true, fetch: fetchSpy, timeoutMs: 1000 };
    await expect(runSignInCheck({ ...options, serviceUrl: 'not a url' })).rejects.toThrow(
      new SignInCheckConfigError('serviceUrl must be an absolute http(s) URL, got "not a url"'),
    );
    await expect(runSignInCheck({ ...options, serviceUrl: `${serviceUrl}/auth` })).rejects.toThrow(/serviceUrl must be an origin without a path/);
    await expect(runSignInCheck({ ...options, issuer: 'ftp://x' })).rejects.toThrow(/issuer must be http\(s\)/);
    await expect(runSignInCheck({ ...options, timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('the canary handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.values(SIGN_IN_CHECK_ENV)) delete process.env[name];
    Object.assign(process.env, saved);
    jest.restoreAllMocks();
  });

  it('reads its environment, logs each step and returns on a pass', async () => {
    Object.assign(process.env, signInCheckEnvironment({ serviceUrl, issuer: stack.issuer, pkce: true, timeoutMs: 3000 }));
    const lines: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    await expect(handler()).resolves.toMatch(/^Sign-in check passed: discovery: ok: .+; login: ok: .+; session: ok: .+$/);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ event: 'sign_in_check_step', step: 'discovery', ok: true }),
      expect.objectContaining({ event: 'sign_in_check_step', step: 'login', ok: true }),
      expect.objectContaining({ event: 'sign_in_check_step', step: 'session', ok: true }),
    ]);
  });

  it('throws, naming the failed step, so the canary run fails', async () => {
    Object.assign(process.env, signInCheckEnvironment({ serviceUrl, issuer: `${stack.issuer}/`, pkce: true }));
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(handler()).rejects.toThrow(/^Sign-in check failed: discovery: FAILED: the discovery document names issuer/);
  });

  it('throws on a missing or malformed variable, naming it', () => {
    expect(() => readSignInCheckSettings({})).toThrow('SIGN_IN_CHECK_PKCE is not set');
    const ok = signInCheckEnvironment({ serviceUrl, issuer: stack.issuer, pkce: false });
    expect(readSignInCheckSettings(ok)).toEqual({ serviceUrl, issuer: stack.issuer, pkce: false, timeoutMs: 10_000 });
    expect(() => readSignInCheckSettings({ ...ok, SIGN_IN_CHECK_PKCE: 'yes' })).toThrow('SIGN_IN_CHECK_PKCE must be true or false, got "yes"');
    expect(() => readSignInCheckSettings({ ...ok, SIGN_IN_CHECK_TIMEOUT_MS: '5s' })).toThrow(/SIGN_IN_CHECK_TIMEOUT_MS must be a positive whole number/);
    expect(() => readSignInCheckSettings({ ...ok, SIGN_IN_CHECK_SERVICE_URL: '' })).toThrow('SIGN_IN_CHECK_SERVICE_URL is not set');
  });

  it('bundles on its own into one ES module exporting the handler, with no package inside', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'sign-in-check-'));
    try {
      const result = await build({
        ...SIGN_IN_CHECK_BUILD_OPTIONS,
        entryPoints: [SIGN_IN_CHECK_ENTRY],
        outfile: path.join(out, SIGN_IN_CHECK_BUNDLE_FILE),
        metafile: true,
        logLevel: 'silent',
      });
      expect(Object.keys(result.metafile.inputs).filter((i) => i.includes('node_modules'))).toEqual([]);
      expect(SIGN_IN_CHECK_HANDLER).toBe(`${path.basename(SIGN_IN_CHECK_BUNDLE_FILE, '.mjs')}.handler`);
      const mod = (await import(path.join(out, SIGN_IN_CHECK_BUNDLE_FILE))) as { handler?: unknown };
      expect(typeof mod.handler).toBe('function');
      expect(readFileSync(path.join(out, SIGN_IN_CHECK_BUNDLE_FILE), 'utf8')).not.toMatch(/__dirname/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
