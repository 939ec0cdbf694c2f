/** `signed-out` -> `SignedOut`: construct ids from the fixed function names (never from configured values). */
export function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _sep, c: string) => c.toUpperCase());
}
