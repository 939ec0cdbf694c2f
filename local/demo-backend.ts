import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { IDENTITY_HEADERS } from '../lambda/core/identity-headers';

/**
 * The demo backend `npm run local` mounts (docs/design.md, "Local stack"): an HTTP server on 127.0.0.1 that answers
 * every request with what it received, so a person can see exactly what a mounted backend gets, and checks the
 * identity assertion the way a real backend should: `X-NHS-Login-Assertion` verified with jose against the relying
 * party's `/auth/jwks.json` (ES256 signature, `iss` the relying party's origin, `aud` one of the mounts, `exp`).
 */
export interface DemoReply {
  readonly backend: 'demo';
  readonly method: string;
  /** The path as received (percent-encoding kept). */
  readonly path: string;
  /** The query string as received, without `?` (`''` when there is none). */
  readonly query: string;
  /** Whether `x-nhs-login-assertion` verified. */
  readonly verified: boolean;
  /** The verified assertion's payload, or `null`. */
  readonly claims: JWTPayload | null;
  /** The request headers received, names lower-cased (repeats joined with `, `). */
  readonly headers: Record<string, string>;
}

/** Whom the demo backend trusts: the relying party's origin (the assertions' issuer), its JWKS and the mounts' audiences. */
export interface DemoTrust {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audiences: readonly string[];
}

export interface DemoBackend {
  /** `http://127.0.0.1:<port>` (what the mounts' targets point at). */
  readonly url: string;
  readonly port: number;
  /** Sets whom to trust; until then no assertion verifies (the relying party's port is chosen after this one's). */
  trust(trust: DemoTrust): void;
  /** The answers given so far (the last 1000), oldest first: tests look at what reached the backend. */
  received(): readonly DemoReply[];
  stop(): Promise<void>;
}

export interface DemoBackendOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** The clock `exp` is checked against (the local stack passes its own, which tests can move). @default Date.now */
  clock?: () => number;
}

const ASSERTION_HEADER = IDENTITY_HEADERS.assertion.toLowerCase();

/**
 * A page a partner service might have behind a mount (`/app/signed-in` locally): every other request gets the
 * JSON reply, this one an HTML page that includes the session timeout warning with the one `<script src>` the
 * README gives, and the "Manage your NHS login" link. Its policy allows this origin's scripts and styles only.
 */
export const SIGNED_IN_PAGE = '/signed-in';
const SIGNED_IN_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const SIGNED_IN_HTML = `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>You are signed in - demo service</title>
<link rel="stylesheet" href="/auth/assets/nhsuk-frontend.css">
<script src="/auth/assets/session-timeout.js" defer></script>
</head>
<body>
<div class="nhsuk-width-container">
<main class="nhsuk-main-wrapper" id="maincontent">
<h1 class="nhsuk-heading-l">You are signed in</h1>
<p class="nhsuk-body">This page comes from the demo backend behind a mount. It warns you before your session times out.</p>
<p class="nhsuk-body"><a class="nhsuk-link" href="/auth/nhs-login-settings">Manage your NHS login</a></p>
<form method="post" action="/auth/logout"><button class="nhsuk-button nhsuk-button--secondary" type="submit">Sign out</button></form>
</main>
</div>
</body>
</html>
`;
const MAX_KEPT = 1000;

export async function startDemoBackend(options: DemoBackendOptions = {}): Promise<DemoBackend> {
  const clock = options.clock ?? Date.now;
  let verifier: ((token: string) => Promise<JWTPayload>) | undefined;
  const received: DemoReply[] = [];

  const server: Server = createServer((req, res) => {
    answer(req).then(
      (reply) => {
        received.push(reply);
        if (received.length > MAX_KEPT) received.shift();
        if (reply.method === 'GET' && reply.path.endsWith(SIGNED_IN_PAGE)) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': SIGNED_IN_CSP });
          res.end(SIGNED_IN_HTML);
          return;
        }
        const body = JSON.stringify(reply, null, 2);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('demo backend failed');
      },
    );
  });

  async function answer(req: IncomingMessage): Promise<DemoReply> {
    for await (const _chunk of req) {
      // drain the body: the demo reports headers, not bodies
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const headers = lowerCasedHeaders(req.rawHeaders);
    const assertion = Object.hasOwn(headers, ASSERTION_HEADER) ? headers[ASSERTION_HEADER] : undefined;
    let claims: JWTPayload | null = null;
    if (assertion !== undefined && verifier) {
      try {
        claims = await verifier(assertion);
      } catch {
        claims = null;
      }
    }
    return {
      backend: 'demo',
      method: req.method ?? 'GET',
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q + 1),
      verified: claims !== null,
      claims,
      headers,
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    trust: (trust) => {
      const jwks = createRemoteJWKSet(new URL(trust.jwksUrl));
      const audience = [...trust.audiences];
      verifier = async (token) =>
        (
          await jwtVerify(token, jwks, {
            issuer: trust.issuer,
            audience,
            algorithms: ['ES256'],
            requiredClaims: ['exp'],
            currentDate: new Date(clock()),
          })
        ).payload;
    },
    received: () => [...received],
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** Header names lower-cased into a null-prototype object (a header named `__proto__` is just a header). */
function lowerCasedHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    out[name] = Object.hasOwn(out, name) ? `${out[name]}, ${value}` : value;
  }
  return out;
}
