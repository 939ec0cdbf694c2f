import { freePort } from '../../local/moto';
import { runLocalCommand } from './local-command-process';
import { Browser, emfMetrics, expectClearPage, startHarness, type Harness } from './support/harness';

/**
 * The sign-in health metrics as the functions write them (CloudWatch embedded metric format), through the local
 * front, the simulator and moto. `emfMetrics` (the harness) refuses any document that is not in the namespace
 * `NhsLoginRp` with exactly one dimension set `[stage, ...]` and no other property, so every assertion on
 * `h.metrics()` also asserts the shape; the raw documents are checked once more below.
 */
let h: Harness;

beforeAll(async () => {
  // A short NHS login timeout, so the hang below ends in a second and a half.
  h = await startHarness({ autoUser: 'p9', settings: { httpTimeoutMs: 1500 } });
});
afterAll(() => h?.stop());
afterEach(async () => {
  h.resetClock();
  await h.stack.simulator.setAutoUser('p9');
  await h.stack.simulator.setMisbehaviour(null);
});

const sorted = (values: string[]) => [...values].sort();
const documents = (mark: number) =>
  h.emf
    .slice(mark)
    .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> } });

describe('sign-in metrics', () => {
  // First in the file: the login function's first sign-in also fetches the discovery document.
  it('a successful sign-in writes the funnel and each NHS login call, by exactly [stage] or [stage, call]', async () => {
    const mark = h.emfMark();
    const page = await h.browser().signIn('assurance=high&returnTo=/api/me');
    expect(page.status).toBe(200);
    expect(sorted(h.metrics(mark))).toEqual(
      sorted([
        'ProviderLatency{call=discovery}',
        'SignInStarted',
        // The callback's own container discovers too (each function has its own client), then the token call,
        // the JWKS for the ID token's signature, and userinfo.
        'ProviderLatency{call=discovery}',
        'ProviderLatency{call=token}',
        'ProviderLatency{call=jwks}',
        'ProviderLatency{call=userinfo}',
        'SignInCompleted',
      ]),
    );
    const docs = documents(mark);
    for (const doc of docs) {
      expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
      expect(doc._aws.CloudWatchMetrics[0]!.Namespace).toBe('NhsLoginRp');
      expect(doc.stage).toBe('local');
      expect(doc).not.toHaveProperty('service');
    }
    expect(new Set(docs.map((d) => JSON.stringify(d._aws.CloudWatchMetrics[0]!.Dimensions)))).toEqual(
      new Set([JSON.stringify([['stage']]), JSON.stringify([['stage', 'call']])]),
    );
    // A latency is a whole number of milliseconds, and no document carries anything of the user's.
    const latencies = docs.filter((d) => 'ProviderLatency' in d).map((d) => d.ProviderLatency);
    expect(latencies.every((v) => Number.isInteger(v) && (v as number) >= 0)).toBe(true);
    expect(h.leakedSecrets()).toEqual([]);
    expect(h.emf.join('\n')).not.toMatch(/999\d{7}|sub|session|https?:/);
  });

  it('a declined consent counts ConsentDeclined, not SignInFailed', async () => {
    await h.stack.simulator.setAutoUser('declines-consent');
    const mark = h.emfMark();
    expectClearPage(await h.browser().signIn(), 403, /without sharing your NHS login details/);
    expect(sorted(h.metrics(mark))).toEqual(sorted(['SignInStarted', 'ConsentDeclined']));
  });

  it('NHS login not answering the token request: ProviderError timeout, and the sign-in failed as unavailable', async () => {
    await h.stack.simulator.setMisbehaviour('token-hang');
    const mark = h.emfMark();
    expectClearPage(await h.browser().signIn(), 504, /.+/);
    expect(sorted(h.metrics(mark))).toEqual(
      sorted([
        'SignInStarted',
        'ProviderLatency{call=token}',
        'ProviderError{call=token,reason=timeout}',
        'SignInFailed{reason=unavailable}',
        // The callback answered 504: a server-side failure of that function.
        'ServerError{function=callback}',
      ]),
    );
    const [error] = documents(mark).filter((d) => 'ProviderError' in d);
    expect(error!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['stage', 'call', 'reason']]);
    // The timeout's latency is the timeout.
    const [latency] = documents(mark).filter((d) => 'ProviderLatency' in d);
    expect(latency!.ProviderLatency).toBeGreaterThanOrEqual(1400);
  });

  it.each([
    ['token-500', 'ProviderError{call=token,reason=5xx}'],
    ['userinfo-garbage', 'ProviderError{call=userinfo,reason=invalid_response}'],
  ] as const)('%s: %s, and the sign-in failed as unavailable', async (misbehaviour, error) => {
    await h.stack.simulator.setMisbehaviour(misbehaviour);
    const mark = h.emfMark();
    await h.browser().signIn();
    expect(h.metrics(mark)).toContain(error);
    expect(h.metrics(mark)).toContain('SignInFailed{reason=unavailable}');
    expect(h.metrics(mark)).not.toContain('SignInCompleted');
  });

  it('an ID token that fails validation: SignInFailed token_validation, and no ProviderError', async () => {
    await h.stack.simulator.setMisbehaviour('wrong-nonce');
    const mark = h.emfMark();
    await h.browser().signIn();
    expect(h.metrics(mark)).toContain('SignInFailed{reason=token_validation}');
    expect(h.metrics(mark).filter((m) => m.startsWith('ProviderError'))).toEqual([]);
  });

  it('a callback this browser did not start: SignInFailed transaction', async () => {
    const mark = h.emfMark();
    const b = h.browser();
    const atCallback = await b.follow('/auth/login?assurance=high', { stopBefore: (u) => u.pathname === '/auth/callback' });
    await b.request(atCallback.next!, { cookies: 'none' });
    expect(h.metrics(mark)).toEqual(['SignInStarted', 'SignInFailed{reason=transaction}']);
  });

  it('a bad returnTo at /auth/login: SignInFailed bad_request, never SignInStarted', async () => {
    const mark = h.emfMark();
    expectClearPage(await h.browser().request('/auth/login?returnTo=https://evil.example/'), 400, /.+/);
    expect(h.metrics(mark)).toEqual(['SignInFailed{reason=bad_request}']);
  });

  it('already signed in: no SignInStarted; a step-up counts StepUpStarted and StepUpCompleted too', async () => {
    await h.stack.simulator.setAutoUser('p5');
    const b = h.browser();
    await b.signIn('assurance=standard');
    let mark = h.emfMark();
    await b.request('/auth/login?assurance=standard');
    expect(h.metrics(mark)).toEqual([]);

    // As in the sign-in tests: the browser comes to the simulator without its SSO session for the P5 account.
    b.jar.delete(new URL(h.stack.issuer).port);
    await h.stack.simulator.setAutoUser('p9');
    mark = h.emfMark();
    await b.signIn('assurance=high');
    expect(sorted(h.metrics(mark).filter((m) => !m.startsWith('Provider')))).toEqual(
      sorted(['SignInStarted', 'StepUpStarted', 'SignInCompleted', 'StepUpCompleted']),
    );
  });

  it('sso_login_required: NhsAppSsoFallback, and the one sign-in completes', async () => {
    const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unknown = `${part({ alg: 'RS512' })}.${part({ sub: 'nobody-known' })}.c2ln`;
    const mark = h.emfMark();
    const page = await h.browser().follow(`/auth/login?assertedLoginIdentity=${unknown}&returnTo=/after`);
    expect(page.url.pathname).toBe('/after');
    expect(sorted(h.metrics(mark).filter((m) => !m.startsWith('Provider')))).toEqual(sorted(['SignInStarted', 'NhsAppSsoFallback', 'SignInCompleted']));
  });

  it('logout: SessionEnded logout, once', async () => {
    const b = h.browser();
    await b.signIn();
    const mark = h.emfMark();
    const out = await b.request('/auth/logout', { method: 'POST', headers: { origin: b.origin } });
    expect(out.status).toBe(303);
    expect(h.metrics(mark)).toEqual(['SessionEnded{reason=logout}']);
    // Signing out again names no session: nothing more ended.
    const again = h.emfMark();
    await b.request('/auth/logout', { method: 'POST', headers: { origin: b.origin } });
    expect(h.metrics(again)).toEqual([]);
  });

  it('idle expiry: the authorizer counts each denial, and the end once; /auth/session counts nothing more and expires the cookie', async () => {
    const b = h.browser();
    await b.signIn();
    h.advanceClock(31 * 60 * 1000);
    let mark = h.emfMark();
    expect((await b.request('/api/me')).status).toBe(401);
    expect((await b.request('/api/me')).status).toBe(401);
    expect(sorted(h.metrics(mark))).toEqual(sorted(['AuthorizerDenied{reason=idle}', 'AuthorizerDenied{reason=idle}', 'SessionEnded{reason=idle}']));
    mark = h.emfMark();
    expect((await b.request('/auth/session')).status).toBe(401);
    expect(h.metrics(mark)).toEqual([]);
    // No cookie now: the authorizer's refusal is no_session.
    mark = h.emfMark();
    await b.request('/api/me');
    expect(h.metrics(mark)).toEqual(['AuthorizerDenied{reason=no_session}']);
  });

  it('a session left idle ends once across tabs and functions: the first GET /auth/session counts it, nothing after', async () => {
    const b = h.browser();
    await b.signIn();
    const cookie = `__Host-session=${b.cookie('__Host-session')}`;
    h.advanceClock(31 * 60 * 1000);
    const mark = h.emfMark();
    // Three tabs' timeout warnings read the session; one presses "Stay signed in"; another calls an API.
    for (let tab = 0; tab < 3; tab++) expect((await b.request('/auth/session', { cookies: cookie })).status).toBe(401);
    const refresh = await b.request('/auth/session/refresh', {
      method: 'POST',
      cookies: cookie,
      headers: { origin: b.origin, 'sec-fetch-site': 'same-origin' },
    });
    expect(refresh.status).toBe(401);
    expect((await b.request('/api/me', { cookies: cookie })).status).toBe(401);
    expect(sorted(h.metrics(mark))).toEqual(sorted(['SessionEnded{reason=idle}', 'AuthorizerDenied{reason=idle}']));
    expect(h.metrics(mark).filter((m) => m.startsWith('SessionEnded'))).toEqual(['SessionEnded{reason=idle}']);
  });

  it('absolute expiry and a low assurance are their own denial reasons; an allowed request writes nothing', async () => {
    await h.stack.simulator.setAutoUser('p5');
    const b = h.browser();
    await b.signIn('assurance=standard');
    let mark = h.emfMark();
    expect((await b.request('/api/me')).status).toBe(200);
    expect(h.metrics(mark)).toEqual([]);
    // Keep the session active past its absolute deadline (12 hours), touching it every 20 minutes.
    for (let t = 0; t < 35; t++) {
      h.advanceClock(20 * 60 * 1000);
      await b.request('/api/me');
    }
    mark = h.emfMark();
    h.advanceClock(20 * 60 * 1000);
    await b.request('/api/me');
    await b.request('/api/me');
    expect((await b.request('/auth/session/refresh', { method: 'POST', headers: { origin: b.origin, 'sec-fetch-site': 'same-origin' } })).status).toBe(401);
    // Each refusal counted; the end once.
    expect(sorted(h.metrics(mark))).toEqual(
      sorted(['AuthorizerDenied{reason=absolute}', 'AuthorizerDenied{reason=absolute}', 'SessionEnded{reason=absolute}']),
    );
  });

  it('DynamoDB not answering (moto paused): each function that answers 500 or more writes one ServerError by its name', async () => {
    const b = h.browser();
    await b.signIn();
    const mark = h.emfMark();
    const [session, me, login] = await h.whileAwsDown(async () => [
      await b.request('/auth/session'),
      await b.request('/api/me'),
      await b.request('/auth/login?assurance=high'),
    ]);
    expect(session.status).toBe(503);
    // The authorizer fails closed: API Gateway answers 500.
    expect(me.status).toBe(500);
    expect(login.status).toBe(503);
    expect(sorted(h.metrics(mark))).toEqual(
      sorted([
        'ServerError{function=session}',
        'AuthorizerDenied{reason=unavailable}',
        'ServerError{function=authorizer}',
        'SignInFailed{reason=unavailable}',
        'ServerError{function=login}',
      ]),
    );
    const errors = documents(mark).filter((d) => 'ServerError' in d);
    expect(errors.map((d) => d._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([[['stage', 'function']], [['stage', 'function']], [['stage', 'function']]]);
    // Back up: the same requests answer, and no ServerError.
    const after = h.emfMark();
    expect((await b.request('/auth/session')).status).toBe(200);
    expect((await b.request('/api/me')).status).toBe(200);
    expect(h.metrics(after)).toEqual([]);
  });

  it('a request carrying an identity header is counted when it reaches the authorizer', async () => {
    const harness = await startHarness({ emulateWaf: false });
    try {
      const mark = harness.emfMark();
      await harness.browser().request('/api/me', { headers: { 'x-nhs-login-sub': 'someone' } });
      expect(harness.metrics(mark)).toEqual(['AuthorizerDenied{reason=identity_header}']);
    } finally {
      await harness.stop();
    }
  });
});

describe('npm run local', () => {
  it('prints the funnel metrics of a local sign-in, as EMF lines among the log lines', async () => {
    const port = await freePort();
    const command = runLocalCommand({ PORT: String(port), NHS_LOGIN_SIM_AUTO_USER: 'p9' });
    try {
      await command.waitFor('Press Ctrl-C');
      const page = await new Browser(port, new Set()).follow('/auth/login?assurance=high&returnTo=/api/me');
      expect(page.status).toBe(200);
      await command.waitFor('"SignInCompleted"', 10_000);
      const printed = command
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{"_aws"'))
        .flatMap((line) => emfMetrics(line));
      expect(printed).toEqual(expect.arrayContaining(['SignInStarted', 'SignInCompleted', 'ProviderLatency{call=token}']));
    } finally {
      await command.kill();
    }
  });
});
