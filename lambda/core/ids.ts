import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random 256-bit identifier, base64url (43 characters): session ids and login transaction ids. */
export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** True when `value` has the shape of an id from {@link randomId}; anything else is never looked up. */
export function isWellFormedId(value: string | undefined): value is string {
  return value !== undefined && ID_SHAPE.test(value);
}

/** SHA-256 of an id, base64url: what the store keys items by, so a table read never yields a usable cookie. */
export function hashId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

/** Constant-time string comparison (state values). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A stable, non-secret reference to a session (22 base64url characters, 132 bits): what backends see as the
 * assertion's `sid` and the authorizer's `sessionRef`. Derived one-way from the stored hash with a label, so it is
 * neither the cookie value nor the table key, and knowing it lets no one read, find or use the session.
 */
export function sessionRefOf(idHash: string): string {
  return createHash('sha256').update(`session-ref:${idHash}`, 'utf8').digest('base64url').slice(0, 22);
}
