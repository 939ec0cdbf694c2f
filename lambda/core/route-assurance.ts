/**
 * The rule the authorizer enforces on a request: looked up by the API Gateway resource the request matched
 * (`event.resource`, e.g. `/app/{proxy+}`) and its method, never by the raw path. API Gateway has already
 * normalised and routed the path, so `/api/demo//x`, `/api/demo/%78` or a trailing slash land on the same resource
 * as any other request below the mount and cannot reach a looser rule.
 */
import type { ProtectedRoute, RuntimeSettings } from '../settings';

export interface RouteRequirement {
  readonly route: ProtectedRoute;
  /** The profile the session must satisfy for this method. */
  readonly profile: string;
}

/**
 * The route's rule and the minimum profile for `method`: the route's per-method entry if it has one, else its
 * own minimum. `undefined` for a resource the stage does not protect: the caller refuses it (fail closed).
 */
export function requirementFor(settings: RuntimeSettings, method: string, resource: string): RouteRequirement | undefined {
  const route = Object.hasOwn(settings.protectedRoutes, resource) ? settings.protectedRoutes[resource] : undefined;
  if (!route) return undefined;
  const m = method.toUpperCase();
  const perMethod = Object.hasOwn(route.methods, m) ? route.methods[m] : undefined;
  return { route, profile: perMethod ?? route.assurance };
}
