/**
 * The sessions table's key schema, shared by the CDK construct (`lib/session-store`) and the local stack so the
 * two cannot drift. Items:
 * - session: `pk = "session#" + base64url(SHA-256(session id))`; the raw id exists only in the cookie. Its
 *   `assertions` map (audience -> `{jwt, exp}`) keeps the identity assertions already signed for it, and
 *   `idTokenJti` the `jti` of the ID token it came from (never the token).
 * - login transaction: `pk = "txn#" + base64url(SHA-256(transaction id))`, 10-minute TTL, consumed once.
 */
export const SESSION_TABLE_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  /** Epoch seconds; DynamoDB deletes expired items lazily, so readers must check it too. */
  timeToLiveAttribute: 'expiresAt',
  /** A session's signed identity assertions, by audience (written by the authorizer with UpdateItem). */
  assertionsAttribute: 'assertions',
  /** The `jti` of the session's ID token (written once, with the session): what `asserted_login_identity` names. */
  idTokenJtiAttribute: 'idTokenJti',
} as const;
