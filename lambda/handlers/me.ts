import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { jsonResponse } from '../core/responses';
import { toProxyResult } from './http';

/**
 * `GET /api/me`: the signed-in user's public claims, from the authorizer's context (this function needs neither
 * the table nor NHS login).
 */
export function makeHandler() {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const ctx = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
    if (typeof ctx.sub !== 'string' || ctx.sub === '') return toProxyResult(jsonResponse(401, { authenticated: false }));
    let claims: unknown = {};
    try {
      claims = typeof ctx.claims === 'string' ? JSON.parse(ctx.claims) : {};
    } catch {
      claims = {};
    }
    const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : null);
    return toProxyResult(
      jsonResponse(200, {
        sub: ctx.sub,
        vot: ctx.vot ?? null,
        identityProofingLevel: ctx.identityProofingLevel || null,
        authTime: num(ctx.authTime) || null,
        claims,
      }),
    );
  };
}

export const handler = makeHandler();
