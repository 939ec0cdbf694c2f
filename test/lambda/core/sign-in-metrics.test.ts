import {
  AuthorizationError,
  BadRequestError,
  ConsentNotGivenError,
  CrossSiteRequestError,
  DependencyUnavailableError,
  IdentityValidationError,
  LoginTransactionError,
  TokenExchangeError,
} from '../../../lambda/core/errors';
import { FUNCTION_NAMES } from '../../../lib/function-table';
import {
  AUTHORIZER_DENIAL_REASONS,
  checkedDimensions,
  FUNCTION_DIMENSION_VALUES,
  METRIC_NAMES,
  METRICS,
  SIGN_IN_FAILURE_REASONS,
} from '../../../lambda/core/metrics-catalogue';
import { authorizerDenialReason, recordSessionExpiry, recordSignInFailure, sessionEndReason, signInFailureReason } from '../../../lambda/core/sign-in-metrics';
import { authorizeRequest, completeCallback, describeSession, logout, refreshSession, startLogin } from '../../../lambda/core/flows';
import { hashId } from '../../../lambda/core/ids';
import { newSession, sessionPolicy } from '../../../lambda/core/session';
import { MemoryMetrics, setup, txnIdFrom } from '../../support/flow-fakes';

const NOW = 1_800_000_000;

/** The one mapping from the runtime's outcomes to the catalogue's closed reason sets. */
describe('signInFailureReason', () => {
  it.each<[Error, string]>([
    [new BadRequestError('malformed_callback', 'x'), 'bad_request'],
    [new LoginTransactionError('state_mismatch', 'x'), 'transaction'],
    [new LoginTransactionError('missing_binding_cookie', 'x'), 'transaction'],
    [new AuthorizationError('authorization_error_server_error', 'x'), 'provider_error'],
    [new TokenExchangeError('token_endpoint_timeout', 'x', { timeout: true }), 'unavailable'],
    [new TokenExchangeError('userinfo_timeout', 'x', { timeout: true }), 'unavailable'],
    [new TokenExchangeError('token_endpoint_failed', 'x'), 'unavailable'],
    [new TokenExchangeError('userinfo_failed', 'x'), 'unavailable'],
    [new TokenExchangeError('token_endpoint_rejected', 'x'), 'token_validation'],
    [new TokenExchangeError('token_exchange_failed', 'x'), 'token_validation'],
    [new IdentityValidationError('id_token_nonce_mismatch', 'x'), 'token_validation'],
    [new IdentityValidationError('userinfo_sub_mismatch', 'x'), 'token_validation'],
    [new IdentityValidationError('vot_not_requested', 'x'), 'assurance'],
    [new IdentityValidationError('auth_time_not_fresh', 'x'), 'assurance'],
    [new DependencyUnavailableError('discovery_timeout', 'x', { timeout: true }), 'unavailable'],
    [new DependencyUnavailableError('store_unavailable', 'x'), 'unavailable'],
    [new CrossSiteRequestError('cross_site_request', 'x'), 'other'],
    [new Error('boom'), 'other'],
  ])('%s -> %s', (err, reason) => {
    expect(signInFailureReason(err)).toBe(reason);
  });

  it('finds the typed error a library wrapped', () => {
    expect(signInFailureReason(new Error('wrapped', { cause: new LoginTransactionError('unknown_transaction', 'x') }))).toBe('transaction');
  });

  it('answers only reasons of the closed set', () => {
    for (const err of [new Error('x'), 'not an error', undefined, new BadRequestError('x', 'y')]) {
      expect(SIGN_IN_FAILURE_REASONS).toContain(signInFailureReason(err));
    }
  });
});

describe('recordSignInFailure', () => {
  it('counts a declined consent as ConsentDeclined, not SignInFailed', () => {
    const m = new MemoryMetrics();
    recordSignInFailure(m, new ConsentNotGivenError('consent_not_given', 'x'));
    recordSignInFailure(m, new AuthorizationError('authorization_error_x', 'x'));
    expect(m.recorded).toEqual(['ConsentDeclined', 'SignInFailed{reason=provider_error}']);
  });
});

describe('session ends', () => {
  it('names idle and absolute expiry only', () => {
    expect(sessionEndReason('session_idle_expired')).toBe('idle');
    expect(sessionEndReason('session_absolute_expired')).toBe('absolute');
    expect(sessionEndReason('session_not_found')).toBeUndefined();
  });

  /** A store answering `endSession` from a script: true for the first mark of each session, as the table does. */
  const ending = (answer: (idHash: string) => Promise<boolean>) => {
    const marked: Array<[string, number]> = [];
    const warnings: Array<Record<string, unknown>> = [];
    const deps = {
      store: {
        endSession: (idHash: string, endedAt: number) => {
          marked.push([idHash, endedAt]);
          return answer(idHash);
        },
      },
      metrics: new MemoryMetrics(),
      logger: { debug() {}, info() {}, warn: (_m: string, f?: Record<string, unknown>) => warnings.push(f ?? {}), error() {} },
      clock: () => 1_800_000_000_500,
    };
    return { deps, marked, warnings };
  };

  it('marks an idle or absolute end, and counts it only when this request marked it first', async () => {
    const seen = new Set<string>();
    const { deps, marked } = ending(async (h) => !seen.has(h) && Boolean(seen.add(h)));
    await recordSessionExpiry(deps, { status: 'invalid', reason: 'session_idle_expired', idHash: 'a' });
    await recordSessionExpiry(deps, { status: 'invalid', reason: 'session_idle_expired', idHash: 'a' });
    await recordSessionExpiry(deps, { status: 'invalid', reason: 'session_corrupt', idHash: 'b' });
    await recordSessionExpiry(deps, { status: 'invalid', reason: 'session_not_found', idHash: 'c' });
    await recordSessionExpiry(deps, { status: 'none' });
    await recordSessionExpiry(deps, { status: 'invalid', reason: 'session_absolute_expired', idHash: 'd' });
    await recordSessionExpiry(deps, { status: 'invalid', reason: 'session_absolute_expired', idHash: 'd' });
    expect(deps.metrics.recorded).toEqual(['SessionEnded{reason=idle}', 'SessionEnded{reason=absolute}']);
    // Only deadline ends are marked, at the clock's second.
    expect(marked).toEqual([
      ['a', 1_800_000_000],
      ['a', 1_800_000_000],
      ['d', 1_800_000_000],
      ['d', 1_800_000_000],
    ]);
  });

  it('a mark that fails counts nothing and fails nothing: a warning with the reason code only', async () => {
    const { deps, warnings } = ending(async () => {
      throw new DependencyUnavailableError('session_store_unavailable', 'DynamoDB end_session failed');
    });
    await expect(recordSessionExpiry(deps, { status: 'invalid', reason: 'session_idle_expired', idHash: 'a' })).resolves.toBeUndefined();
    expect(deps.metrics.recorded).toEqual([]);
    expect(warnings).toEqual([{ event: 'session_end_not_recorded', reason: 'idle', errorName: 'DependencyUnavailableError' }]);
  });
});

describe('authorizerDenialReason', () => {
  it.each<[Parameters<typeof authorizerDenialReason>[0], string]>([
    [{ reason: 'identity_header_present' }, 'identity_header'],
    [{ reason: 'unknown_route' }, 'unknown_route'],
    [{ reason: 'unknown_assurance_profile' }, 'other'],
    [{ reason: 'insufficient_assurance' }, 'assurance'],
    [{ reason: 'sign_in_required', cause: 'no_session' }, 'no_session'],
    [{ reason: 'sign_in_required', cause: 'session_not_found' }, 'no_session'],
    [{ reason: 'sign_in_required', cause: 'session_idle_expired' }, 'idle'],
    [{ cause: 'session_absolute_expired' }, 'absolute'],
    [{ cause: 'session_corrupt' }, 'other'],
    [{ error: new DependencyUnavailableError('store_unavailable', 'x') }, 'unavailable'],
    [{ error: new Error('KMS down') }, 'other'],
  ])('%j -> %s', (verdict, reason) => {
    expect(authorizerDenialReason(verdict)).toBe(reason);
    expect(AUTHORIZER_DENIAL_REASONS).toContain(reason);
  });
});

describe('the catalogue', () => {
  it('names every metric with a unit, a description and closed dimension sets', () => {
    expect(METRIC_NAMES.sort()).toEqual(
      [
        'AuthorizerDenied',
        'ConsentDeclined',
        'NhsAppSsoFallback',
        'ProviderError',
        'ProviderLatency',
        'ServerError',
        'SessionEnded',
        'SignInCompleted',
        'SignInFailed',
        'SignInStarted',
        'StepUpCompleted',
        'StepUpStarted',
      ].sort(),
    );
    for (const name of METRIC_NAMES) {
      const m = METRICS[name];
      expect(['Count', 'Milliseconds']).toContain(m.unit);
      expect(m.description.length).toBeGreaterThan(10);
      for (const values of Object.values(m.dimensions)) {
        expect(values.length).toBeGreaterThan(0);
        for (const v of values) expect(v).toMatch(/^[a-z0-9_-]{1,32}$/);
      }
    }
  });

  it('names the function table rows as the closed set of ServerError function (Lambda code cannot read the table)', () => {
    expect([...FUNCTION_DIMENSION_VALUES]).toEqual(FUNCTION_NAMES);
    expect(METRICS.ServerError.dimensions.function).toBe(FUNCTION_DIMENSION_VALUES);
    expect(checkedDimensions('ServerError', { function: 'authorizer' })).toEqual([['function', 'authorizer']]);
    // No `other`: a name the table does not have is refused, never folded.
    expect(checkedDimensions('ServerError', { function: 'NhsLoginRp-production-Login' })).toBeUndefined();
  });

  it('checks dimension values at run time: outside the set is other where there is one, else refused', () => {
    expect(checkedDimensions('SignInFailed', { reason: 'transaction' })).toEqual([['reason', 'transaction']]);
    expect(checkedDimensions('SignInFailed', { reason: '9990000018' })).toEqual([['reason', 'other']]);
    expect(checkedDimensions('SignInFailed', {})).toEqual([['reason', 'other']]);
    expect(checkedDimensions('ProviderLatency', { call: 'https://auth.login.nhs.uk/token?code=x' })).toBeUndefined();
    expect(checkedDimensions('ProviderError', { call: 'token', reason: 'timeout' })).toEqual([
      ['call', 'token'],
      ['reason', 'timeout'],
    ]);
    expect(checkedDimensions('SignInStarted', { sub: 'someone' })).toEqual([]);
    expect(checkedDimensions('NoSuchMetric' as 'SignInStarted', {})).toBeUndefined();
  });
});

describe('the flows record through the port', () => {
  it('login counts SignInStarted once the redirect is built; the callback SignInCompleted once the session is written', async () => {
    const { deps, metrics, store } = setup();
    const login = await startLogin(deps, { assurance: 'high' });
    expect(metrics.recorded).toEqual(['SignInStarted']);
    const [state] = [...store.txns.values()].map((t) => t.state);
    await completeCallback(deps, {
      query: [
        ['code', 'c'],
        ['state', state!],
      ],
      transactionId: txnIdFrom(login.cookies),
    });
    expect(metrics.recorded).toEqual(['SignInStarted', 'SignInCompleted']);
    expect(metrics.flushes).toBe(0); // flushing is the handler's
  });

  it('a login that fails before the redirect counts no SignInStarted', async () => {
    const { deps, metrics, provider } = setup();
    provider.authorizationUrl = async () => {
      throw new Error('discovery down');
    };
    await expect(startLogin(deps, {})).rejects.toThrow('discovery down');
    expect(metrics.recorded).toEqual([]);
  });

  it('an expired session ends once, however many requests, tabs and functions present it', async () => {
    const { deps, metrics, store } = setup(NOW * 1000);
    const idle = 'I'.repeat(43);
    const absolute = 'A'.repeat(43);
    // Idle: seen 31 minutes ago. Absolute: created 12 hours ago and kept active until a minute ago.
    store.sessions.set(hashId(idle), newSession({ sub: 's', vot: 'P9.Cp.Cd', claims: {} }, NOW - 31 * 60, sessionPolicy(30, 720)));
    store.sessions.set(hashId(absolute), {
      ...newSession({ sub: 's', vot: 'P9.Cp.Cd', claims: {} }, NOW - 720 * 60, sessionPolicy(30, 720)),
      expiresAt: NOW + 29 * 60,
    });
    const request = (sessionId: string) => ({ sessionId, method: 'GET', resource: '/api/me', path: '/api/me', query: [], headerNames: [] });
    const sameOrigin = { origin: 'https://rp.example', 'sec-fetch-site': 'same-origin' };
    for (const id of [idle, absolute]) {
      // Two tabs polling, one pressing "Stay signed in", and API calls through the authorizer.
      expect((await describeSession(deps, id)).statusCode).toBe(401);
      expect((await describeSession(deps, id)).statusCode).toBe(401);
      expect((await refreshSession(deps, { headers: sameOrigin, sessionId: id })).statusCode).toBe(401);
      expect(await authorizeRequest(deps, request(id))).toMatchObject({ effect: 'Unauthorized' });
      expect(await authorizeRequest(deps, request(id))).toMatchObject({ effect: 'Unauthorized' });
    }
    expect(metrics.recorded).toEqual(['SessionEnded{reason=idle}', 'SessionEnded{reason=absolute}']);
    expect([...store.ended.keys()]).toEqual([hashId(idle), hashId(absolute)]);
  });

  it('whichever function sees the expired session first counts it: the authorizer, then GET /auth/session counts nothing more', async () => {
    const { deps, metrics, store } = setup(NOW * 1000);
    const id = 'J'.repeat(43);
    store.sessions.set(hashId(id), newSession({ sub: 's', vot: 'P9.Cp.Cd', claims: {} }, NOW - 40 * 60, sessionPolicy(30, 720)));
    await authorizeRequest(deps, { sessionId: id, method: 'GET', resource: '/app', path: '/app', query: [], headerNames: [] });
    await describeSession(deps, id);
    expect(metrics.recorded).toEqual(['SessionEnded{reason=idle}']);
  });

  it('a logout naming no session ends none', async () => {
    const { deps, metrics } = setup();
    await logout(deps, { headers: { origin: 'https://rp.example' } });
    expect(metrics.recorded).toEqual([]);
  });
});
