/**
 * The simulator's stand-in for NHS login's settings page ("Manage your NHS login"), so the settings link's round
 * trip can be tested locally. NHS login's developer docs ("NHS login user settings") say a partner links there with
 * `asserted_login_identity`: a signed JWT, one-time, living 60 seconds, built as the Federation interface
 * specification's relying-party-to-relying-party single sign-on JWT (docs/nhs-login.md, "Manage your NHS login").
 * This page accepts it only when every check NHS login can be expected to make passes, and names the first that
 * fails otherwise (400):
 *
 * - an RS512 signature by the client's registered key (the PEM NHS login registers, whatever the `kid`);
 * - `iss` is the registered client's id;
 * - `iat` and `exp` are numbers, `exp` after `iat` by at most 60 seconds, and now is within them;
 * - `jti` is present and has not been used before (one-time);
 * - `code` is the `jti` of an ID token this simulator issued, which names the user the page is for.
 *
 * Imports jose and Node built-ins only (no oidc-provider), so Jest can load it to test the checks directly.
 */
import { compactVerify, decodeProtectedHeader, importSPKI } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SimulatorPages } from './pages';
import { type SimUser, userBySub } from './users';

/** Where the settings page is on the simulator's origin (the local stage's `nhsLoginSettingsUrl`). */
export const SETTINGS_PATH = '/settings';

/** The longest lifetime an `asserted_login_identity` may claim. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 60;

/** How many issued ID token `jti`s, and used assertion `jti`s, the simulator remembers (oldest forgotten first). */
export const REMEMBERED_JTIS = 1000;

/** A map that forgets its oldest entries beyond `limit` (insertion order). */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  constructor(private readonly limit: number) {}
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }
  has(key: K): boolean {
    return this.#entries.has(key);
  }
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.limit) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
  get size(): number {
    return this.#entries.size;
  }
}

export interface SettingsChecks {
  readonly clientId: string;
  /** The client's registered public key (SPKI PEM). */
  readonly clientPublicKeyPem: string;
  /** Seconds since the epoch. @default the system clock */
  readonly now?: () => number;
}

export type SettingsVerdict = { readonly ok: true; readonly user: SimUser } | { readonly ok: false; readonly failed: string };

/**
 * The settings page's state: the ID tokens issued (their `jti` -> the user's `sub`) and the assertions already
 * used, each bounded.
 */
export class SettingsVerifier {
  readonly #issued = new BoundedMap<string, string>(REMEMBERED_JTIS);
  readonly #used = new BoundedMap<string, true>(REMEMBERED_JTIS);
  readonly #key: ReturnType<typeof importSPKI>;
  readonly #now: () => number;

  constructor(private readonly checks: SettingsChecks) {
    this.#key = importSPKI(checks.clientPublicKeyPem, 'RS512');
    this.#now = checks.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Remembers an ID token this provider issued: its `jti` names its user's `sub`. */
  issued(jti: string, sub: string): void {
    this.#issued.set(jti, sub);
  }

  /** Checks one `asserted_login_identity`, in the order the module comment lists; a verdict, never a throw. */
  async verify(assertion: string | undefined): Promise<SettingsVerdict> {
    const fail = (failed: string): SettingsVerdict => ({ ok: false, failed });
    if (!assertion) return fail('asserted_login_identity is missing');
    let payload: Record<string, unknown>;
    try {
      if (decodeProtectedHeader(assertion).alg !== 'RS512') return fail('the assertion is not signed with RS512');
      const verified = await compactVerify(assertion, await this.#key, { algorithms: ['RS512'] });
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
    } catch {
      return fail("the assertion's signature does not verify with the client's registered key");
    }
    if (typeof payload !== 'object' || payload === null) return fail('the assertion carries no claims');
    if (payload.iss !== this.checks.clientId) return fail('iss is not the id of a registered client');
    const { iat, exp, jti, code } = payload;
    if (typeof iat !== 'number' || typeof exp !== 'number') return fail('iat and exp must both be numbers');
    if (exp <= iat) return fail('the assertion expires before it is issued (exp <= iat)');
    if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) return fail(`the assertion lives longer than ${MAX_ASSERTION_LIFETIME_SECONDS} seconds (exp - iat)`);
    const now = this.#now();
    if (now >= exp) return fail('the assertion has expired');
    if (iat > now + 5) return fail('the assertion was issued in the future (iat)');
    if (typeof jti !== 'string' || jti === '') return fail('jti is missing');
    if (this.#used.has(jti)) return fail('jti has been used before: the assertion is single use');
    if (typeof code !== 'string' || code === '') return fail('code is missing');
    const sub = this.#issued.get(code);
    const user = sub === undefined ? undefined : userBySub(sub);
    if (!user) return fail('code is not the jti of an ID token this provider issued');
    this.#used.set(jti, true);
    return { ok: true, user };
  }
}

/** The page a verified user sees: who NHS login took them to be, and what the real page lets them change. */
export function settingsPage(pages: SimulatorPages, user: SimUser): string {
  const email = typeof user.claims.email === 'string' ? user.claims.email : user.id;
  return pages.render('sim-settings.njk', { title: 'Manage your NHS login', email, userId: user.id });
}

/** The page an assertion that fails a check gets: which check failed (never the assertion itself). */
export function settingsErrorPage(pages: SimulatorPages, failed: string): string {
  return pages.render('sim-settings.njk', { title: 'Cannot open NHS login settings', failed });
}

type Next = () => Promise<unknown>;

/**
 * The simulator's hook: remembers the `jti` of every ID token the token endpoint answers with (whatever a
 * misbehaviour did to the token, its `jti` is kept), and answers `GET /settings`. Anything else passes through.
 */
export function settingsMiddleware(verifier: SettingsVerifier, pages: SimulatorPages): (ctx: KoaContextWithOIDC, next: Next) => Promise<void> {
  return async (ctx, next) => {
    if (ctx.path === SETTINGS_PATH) {
      if (ctx.method !== 'GET') {
        ctx.status = 405;
        ctx.type = 'html';
        ctx.set(pages.headers());
        ctx.body = settingsErrorPage(pages, 'the settings page answers GET only');
        return;
      }
      const raw = ctx.query.asserted_login_identity;
      const verdict = await verifier.verify(typeof raw === 'string' ? raw : undefined);
      ctx.type = 'html';
      ctx.set(pages.headers());
      ctx.set('Referrer-Policy', 'no-referrer');
      if (verdict.ok) {
        ctx.status = 200;
        ctx.body = settingsPage(pages, verdict.user);
      } else {
        ctx.status = 400;
        ctx.body = settingsErrorPage(pages, verdict.failed);
      }
      return;
    }
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    const idToken = typeof body?.id_token === 'string' ? body.id_token : undefined;
    if (!idToken) return;
    const claims = idTokenClaims(idToken);
    if (typeof claims?.jti === 'string' && typeof claims.sub === 'string') verifier.issued(claims.jti, claims.sub);
  };
}

function idTokenClaims(jwt: string): Record<string, unknown> | undefined {
  try {
    const part = jwt.split('.')[1] ?? '';
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
