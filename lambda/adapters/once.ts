/**
 * A value fetched once per container and shared by every later call (a public key, a discovery document), except
 * that a failed fetch is forgotten: the next call tries again rather than replaying the failure for the
 * container's whole life.
 */
export function onceUntilFailure<T>(fetch: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= fetch().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
