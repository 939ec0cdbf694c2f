/**
 * Per-route minimum assurance for `/api/*`: which assurance profile (`./assurance.ts`) a session must satisfy
 * for a request, looked up in the stage's `apiRouteAssurance` table.
 */
import type { RuntimeSettings } from '../settings';

/**
 * The minimum profile for an API route from `apiRouteAssurance`: `"GET /api/me"` beats `"/api/me"`, which beats
 * the longest matching `"[METHOD ]/prefix/*"` (a method-specific key wins a tie); unlisted routes need the
 * default profile.
 */
export function requiredProfileFor(settings: RuntimeSettings, method: string, path: string): string {
  const table = settings.apiRouteAssurance;
  const m = method.toUpperCase();
  const exact = table[`${m} ${path}`] ?? table[path];
  if (exact !== undefined) return exact;
  let best: { length: number; methodSpecific: boolean; profile: string } | undefined;
  for (const [key, profile] of Object.entries(table)) {
    const space = key.indexOf(' ');
    const keyMethod = space > 0 ? key.slice(0, space).toUpperCase() : undefined;
    const pattern = space > 0 ? key.slice(space + 1) : key;
    if (!pattern.endsWith('/*') || (keyMethod !== undefined && keyMethod !== m)) continue;
    const prefix = pattern.slice(0, -1);
    if (!path.startsWith(prefix)) continue;
    const candidate = { length: prefix.length, methodSpecific: keyMethod !== undefined, profile };
    if (!best || candidate.length > best.length || (candidate.length === best.length && candidate.methodSpecific)) best = candidate;
  }
  return best?.profile ?? settings.defaultAssuranceProfile;
}
