import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { SESSION_COOKIE } from '../core/cookies';
import { authorizeRequest, type AuthorizerDecision, type FlowDeps } from '../core/flows';
import { findRpError } from '../core/errors';
import { authorizerDenialReason } from '../core/sign-in-metrics';
import type { RuntimeSettings } from '../settings';
import { cookieFrom, queryPairs, resolveDeps, type DepsSource } from './http';
import { identitySignerFor, kmsClientFor } from './key-runtime';
import { buildStoreDeps } from './store-runtime';
import { fromEnvironment, type BuildOptions } from './wiring';

/**
 * REQUEST authorizer of the session routes and the `page` and `api` mounts. No identity sources and no result
 * caching (TTL 0): API Gateway calls it on every request, also without a Cookie header (a page mount must still
 * send that browser to sign in), a logout or an idle expiry takes effect at once, and no rule is answered from
 * another resource's cached policy. The rule is found by `event.resource`, never the raw path.
 * - unknown resource, or a request carrying an `X-NHS-Login-*` header: Deny (403);
 * - no valid session: `api` throws `Unauthorized` -> UNAUTHORIZED (401); `page` Deny with `signIn` -> 403, whose
 *   HTML template forwards the browser to sign in and come back;
 * - assurance too low: Deny with {reason, requiredAssurance, stepUp, signIn} -> ACCESS_DENIED (403);
 * - otherwise Allow for this method ARN with {sub, vot, identityProofingLevel, authTime, expiresAt, idleExpiresAt,
 *   claims (JSON), sessionRef} and, for a route with an audience, `assertion`.
 * A store or KMS failure throws, which API Gateway answers with 500 (AUTHORIZER_FAILURE): fail closed.
 * Logs carry the method, the resource (a route template, not the path) and reason codes; never values.
 */
export function makeHandler(source: DepsSource) {
  const decide = decisions(source);
  return async (event: APIGatewayRequestAuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> => {
    try {
      return await decide(event, context);
    } finally {
      // Once per invocation, on every path (Allow, Deny, 401, failure).
      resolveDeps(source).metrics.flush();
    }
  };
}

/** The verdicts, each refusal counted (`AuthorizerDenied` by reason). */
function decisions(source: DepsSource) {
  return async (event: APIGatewayRequestAuthorizerEvent, _context?: Context): Promise<APIGatewayAuthorizerResult> => {
    const deps = resolveDeps(source);
    const method = event.httpMethod ?? 'GET';
    const resource = event.resource ?? '';
    const route = `${method} ${resource}`;
    let decision: AuthorizerDecision;
    try {
      decision = await authorizeRequest(deps, {
        sessionId: cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE),
        method,
        resource,
        path: event.path ?? '/',
        query: queryPairs({
          queryStringParameters: event.queryStringParameters ?? null,
          multiValueQueryStringParameters: event.multiValueQueryStringParameters ?? null,
        }),
        headerNames: [...Object.keys(event.headers ?? {}), ...Object.keys(event.multiValueHeaders ?? {})],
      });
    } catch (err) {
      deps.metrics.count('AuthorizerDenied', { reason: authorizerDenialReason({ error: err }) });
      // API Gateway answers 500 (fail closed): the authorizer's own server-side failure, as the routes count theirs.
      deps.metrics.count('ServerError', { function: 'authorizer' });
      deps.logger.error('Authorizer failed', {
        event: 'authorizer_failed',
        route,
        reason: findRpError(err)?.reason ?? 'internal_error',
        errorName: err instanceof Error ? err.name : typeof err,
      });
      throw new Error('Authorizer failed');
    }
    if (decision.effect === 'Unauthorized') {
      deps.metrics.count('AuthorizerDenied', { reason: authorizerDenialReason({ cause: decision.reason }) });
      deps.logger.info('API request without a valid session', { event: 'api_unauthorized', reason: decision.reason, route });
      throw new Error('Unauthorized');
    }
    if (decision.effect === 'Deny') {
      deps.metrics.count('AuthorizerDenied', { reason: authorizerDenialReason(decision) });
      deps.logger.info('Request denied', {
        event: 'authorizer_denied',
        reason: decision.reason,
        ...(decision.cause ? { cause: decision.cause } : {}),
        route,
        ...(decision.context.requiredAssurance ? { requiredAssurance: decision.context.requiredAssurance } : {}),
      });
    }
    return {
      principalId: decision.effect === 'Allow' ? String(decision.context.sub) : 'denied',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: decision.effect, Resource: event.methodArn }],
      },
      context: decision.context,
    };
  };
}

/**
 * The store (the session, its sliding refresh and its kept assertions) and the identity assertion key in KMS, with
 * the container's assertion cache. No NHS login client and no client-assertion signer: the authorizer never talks
 * to NHS login, and its ES256 assertions need only KMS and Node's own base64url (no jose).
 */
export function buildAuthorizerDeps(settings: RuntimeSettings, options: BuildOptions = {}): FlowDeps {
  return { ...buildStoreDeps(settings, options), assertionSigner: identitySignerFor(settings, kmsClientFor(options)) };
}

export const handler = makeHandler(fromEnvironment(buildAuthorizerDeps));
