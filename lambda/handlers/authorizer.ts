import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { SESSION_COOKIE } from '../core/cookies';
import { authorizeRequest, type AuthorizerDecision } from '../core/flows';
import { findRpError } from '../core/errors';
import { cookieFrom, resolveDeps, type DepsSource } from './http';
import { containerDepsFromEnvironment } from './runtime';

/**
 * REQUEST authorizer for `/api/*` (identity source: the Cookie header; result caching must be off (TTL 0) so a
 * logout or an idle expiry takes effect at once and per-route assurance is never answered from another route's
 * cached policy).
 * - no valid session: throws `Unauthorized` -> API Gateway's UNAUTHORIZED gateway response (401);
 * - assurance too low: Deny + context {reason, requiredAssurance, stepUp} -> ACCESS_DENIED (403) whose template
 *   shows the hint (see `AUTHORIZER_GATEWAY_RESPONSES`);
 * - otherwise Allow for this method ARN with {sub, vot, identityProofingLevel, authTime, claims (JSON)}.
 * A store failure throws, which API Gateway answers with 500 (AUTHORIZER_FAILURE): fail closed.
 */
export function makeHandler(source: DepsSource) {
  return async (event: APIGatewayRequestAuthorizerEvent, _context?: Context): Promise<APIGatewayAuthorizerResult> => {
    const deps = resolveDeps(source);
    const method = event.httpMethod ?? 'GET';
    const path = event.path ?? '/';
    let decision: AuthorizerDecision;
    try {
      decision = await authorizeRequest(deps, {
        sessionId: cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE),
        method,
        path,
      });
    } catch (err) {
      deps.logger.error('Authorizer failed', {
        event: 'authorizer_failed',
        reason: findRpError(err)?.reason ?? 'internal_error',
        errorName: err instanceof Error ? err.name : typeof err,
      });
      throw new Error('Authorizer failed');
    }
    if (decision.effect === 'Unauthorized') {
      deps.logger.info('API request without a valid session', { event: 'api_unauthorized', reason: decision.reason, route: `${method} ${path}` });
      throw new Error('Unauthorized');
    }
    if (decision.effect === 'Deny') {
      deps.logger.info('API request with too low assurance', {
        event: 'api_step_up_required',
        route: `${method} ${path}`,
        requiredAssurance: decision.context.requiredAssurance,
      });
    }
    return {
      principalId: decision.effect === 'Allow' ? String(decision.context.sub) : 'insufficient-assurance',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: decision.effect, Resource: event.methodArn }],
      },
      context: decision.context,
    };
  };
}

export const handler = makeHandler(containerDepsFromEnvironment);
