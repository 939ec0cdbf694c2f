import { jsonResponse } from '../core/responses';
import { httpHandler, type DepsSource } from './http';
import { buildAssertionKeyDeps, type AssertionKeyDeps } from './key-runtime';
import { fromEnvironment } from './wiring';

/** Backends and caches may keep the key set this long (seconds). */
export const JWKS_MAX_AGE_SECONDS = 300;

/**
 * `GET /auth/jwks.json`: the public key backends verify identity assertions (`X-NHS-Login-Assertion`) with, as a
 * JWK Set (RFC 7517 5). Cacheable for five minutes; the key is read from KMS once per container. KMS unavailable:
 * 503 JSON (never cached).
 */
export function makeHandler(deps: DepsSource<AssertionKeyDeps>) {
  return httpHandler(deps, { fn: 'jwks', route: 'GET /auth/jwks.json', format: 'json' }, async (d) => {
    const key = await d.assertionSigner.publicJwk();
    const response = jsonResponse(200, { keys: [key] });
    return { ...response, headers: { ...response.headers, 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` } };
  });
}

/** Built with the assertion key's KMS client only (`buildAssertionKeyDeps`). */
export const handler = makeHandler(fromEnvironment(buildAssertionKeyDeps));
