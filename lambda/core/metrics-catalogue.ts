/**
 * The sign-in health metrics: every name, unit and dimension the handlers may emit, and the bounded sets of reason
 * codes. The handlers emit only what is listed here, and the dashboard, the alarms and the runbooks are built from
 * the same lists, so a metric cannot be emitted that nothing watches, nor watched that nothing emits.
 *
 * No dimension ever carries personal data or a request value: `stage` is the deployment stage, `reason`, `call`
 * and `function` come from the closed sets below, and anything else is folded into `other` (or, for a set without
 * one, the metric is refused).
 */

/** The CloudWatch namespace of every metric here. */
export const METRICS_NAMESPACE = 'NhsLoginRp';

/** The one dimension every metric carries: the deployment stage (`local`, `sandpit`, `integration`, `production`). */
export const STAGE_DIMENSION = 'stage';

/** Why a sign-in ended without a session (the user sees a failure page; ConsentDeclined is counted apart). */
export const SIGN_IN_FAILURE_REASONS = [
  /** The callback was malformed, oversized or repeated a parameter. */
  'bad_request',
  /** No binding cookie, unknown, used or expired transaction, or `state` mismatch. */
  'transaction',
  /** NHS login answered an error at the redirect URI (other than a declined consent). */
  'provider_error',
  /** The token exchange, the ID token or userinfo failed validation. */
  'token_validation',
  /** The vector of trust returned was not one requested, or `auth_time` was stale after a step-up. */
  'assurance',
  /** NHS login, DynamoDB or KMS could not be reached in time. */
  'unavailable',
  /** Anything else. */
  'other',
] as const;

/** Why a session ended (`SessionEnded` counts each end once: see its description). */
export const SESSION_END_REASONS = ['logout', 'idle', 'absolute'] as const;

/** Why the authorizer refused a request. */
export const AUTHORIZER_DENIAL_REASONS = [
  /** No session cookie, or one that names no session. */
  'no_session',
  /** The session passed its idle deadline. */
  'idle',
  /** The session passed its absolute deadline. */
  'absolute',
  /** Signed in, but below the route's minimum assurance (a step-up is offered). */
  'assurance',
  /** The request matched a resource the stage does not protect (fail closed). */
  'unknown_route',
  /** The request carried an `X-NHS-Login-*` header (the WAF refuses these first). */
  'identity_header',
  /** DynamoDB or KMS could not be reached in time (API Gateway answers 500: the authorizer fails closed). */
  'unavailable',
  /** Anything else (a corrupt session item, a rule naming an unconfigured profile, an unexpected error). */
  'other',
] as const;

/** The calls to NHS login whose latency and errors are measured. */
export const PROVIDER_CALLS = ['discovery', 'token', 'userinfo', 'jwks'] as const;

/** How a call to NHS login failed. */
export const PROVIDER_ERROR_REASONS = [
  /** No answer within the stage's `httpTimeoutMs`. */
  'timeout',
  /** An HTTP status of 500 or more. */
  '5xx',
  /** A 2xx answer whose body is not JSON (a refused 4xx, e.g. `invalid_grant`, is not NHS login failing). */
  'invalid_response',
  /** No connection at all (refused, reset, name not resolved). */
  'unreachable',
] as const;

/**
 * The functions, by their names in the function table (`lib/function-table.ts`): the `function` dimension of
 * `ServerError`. Listed here because Lambda code cannot import `lib/`; a unit test asserts the two lists are equal,
 * so a row added to the table without its name here (or the other way round) fails the build.
 */
export const FUNCTION_DIMENSION_VALUES = [
  'login',
  'callback',
  'logout',
  'signed-out',
  'session',
  'session-refresh',
  'nhs-login-settings',
  'authorizer',
  'me',
  'jwks',
  'assets',
  'start',
] as const;

export type SignInFailureReason = (typeof SIGN_IN_FAILURE_REASONS)[number];
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];
export type AuthorizerDenialReason = (typeof AUTHORIZER_DENIAL_REASONS)[number];
export type ProviderCall = (typeof PROVIDER_CALLS)[number];
export type ProviderErrorReason = (typeof PROVIDER_ERROR_REASONS)[number];
export type FunctionDimensionValue = (typeof FUNCTION_DIMENSION_VALUES)[number];

export interface MetricDefinition {
  readonly unit: 'Count' | 'Milliseconds';
  /** Dimensions beyond `stage`, each with its closed set of values. */
  readonly dimensions: Readonly<Record<string, readonly string[]>>;
  /** What it counts, for the dashboard and the runbooks. */
  readonly description: string;
}

/**
 * Every metric. Each is emitted with the dimension set `[stage, ...keys of dimensions]` and nothing else (no
 * `service` dimension), so a CloudWatch metric here is named by exactly these dimensions.
 */
export const METRICS = {
  SignInStarted: {
    unit: 'Count',
    dimensions: {},
    description: 'A sign-in was sent to NHS login (GET /auth/login redirected to authorize; step-ups and NHS App entries included)',
  },
  SignInCompleted: { unit: 'Count', dimensions: {}, description: 'A sign-in ended with a new session (step-ups included)' },
  SignInFailed: {
    unit: 'Count',
    dimensions: { reason: SIGN_IN_FAILURE_REASONS },
    description: 'A sign-in ended on a failure page, at GET /auth/login (then nothing was sent to NHS login) or at the callback',
  },
  ConsentDeclined: { unit: 'Count', dimensions: {}, description: 'The user declined to share their NHS login details' },
  StepUpStarted: {
    unit: 'Count',
    dimensions: {},
    description: 'A signed-in user was sent to NHS login for a higher assurance (also counted in SignInStarted)',
  },
  StepUpCompleted: {
    unit: 'Count',
    dimensions: {},
    description: 'A step-up ended with a session at the higher assurance (also counted in SignInCompleted)',
  },
  NhsAppSsoFallback: {
    unit: 'Count',
    dimensions: {},
    description: 'An NHS App single sign-on answered sso_login_required and fell back to an interactive sign-in',
  },
  SessionEnded: {
    unit: 'Count',
    dimensions: { reason: SESSION_END_REASONS },
    description:
      'A session ended, counted once per session: logout once per POST /auth/logout that names a session; idle and absolute once, by the first request to the authorizer, GET /auth/session or POST /auth/session/refresh that finds the session past that deadline (a conditional write marks it ended; later requests count nothing). A session never presented to one of these after its deadline is not counted',
  },
  AuthorizerDenied: { unit: 'Count', dimensions: { reason: AUTHORIZER_DENIAL_REASONS }, description: 'The authorizer refused a request' },
  ServerError: {
    unit: 'Count',
    dimensions: { function: FUNCTION_DIMENSION_VALUES },
    description:
      'A function failed on the server side: a route function answered 500 or more (DynamoDB, KMS or NHS login unavailable, or an unexpected error), or the authorizer failed (AuthorizerDenied unavailable or other; API Gateway answers 500)',
  },
  ProviderLatency: { unit: 'Milliseconds', dimensions: { call: PROVIDER_CALLS }, description: 'Time taken by a call to NHS login' },
  ProviderError: {
    unit: 'Count',
    dimensions: { call: PROVIDER_CALLS, reason: PROVIDER_ERROR_REASONS },
    description: 'A call to NHS login failed',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

type Catalogue = typeof METRICS;
/** The metrics of one unit: `count` takes the `Count` ones, `duration` the `Milliseconds` ones. */
export type MetricNameOfUnit<U extends MetricDefinition['unit']> = { [N in MetricName]: Catalogue[N]['unit'] extends U ? N : never }[MetricName];
export type CountMetricName = MetricNameOfUnit<'Count'>;
export type DurationMetricName = MetricNameOfUnit<'Milliseconds'>;
type ValuesOf<T> = T extends readonly (infer V)[] ? V : never;
/** The dimensions (beyond `stage`) a metric is emitted with, each from its closed set. */
export type MetricDimensions<N extends MetricName> = { readonly [K in keyof Catalogue[N]['dimensions']]: ValuesOf<Catalogue[N]['dimensions'][K]> };

/**
 * The dimensions of a metric in the catalogue's order, every value checked against its closed set at run time too
 * (types can be cast away): a value outside it becomes `other` where the set has one, else the metric is refused
 * (`undefined`). Whatever reaches CloudWatch is one of the listed values.
 */
export function checkedDimensions(name: MetricName, dimensions: Readonly<Record<string, string>>): Array<[string, string]> | undefined {
  const definition: MetricDefinition | undefined = Object.hasOwn(METRICS, name) ? METRICS[name] : undefined;
  if (!definition) return undefined;
  const out: Array<[string, string]> = [];
  for (const [key, allowed] of Object.entries(definition.dimensions)) {
    const value = Object.hasOwn(dimensions, key) ? dimensions[key] : undefined;
    if (value !== undefined && allowed.includes(value)) out.push([key, value]);
    else if (allowed.includes('other')) out.push([key, 'other']);
    else return undefined;
  }
  return out;
}
