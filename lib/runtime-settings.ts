import { mountResources } from '../config/mounts';
import { CLAIMS_BY_SCOPE, NHS_LOGIN_ISSUERS, NHS_LOGIN_SETTINGS_URLS, type StageConfig } from '../config/schema';
import type { ProtectedRoute, RuntimeSettings } from '../lambda/settings';
import { allRoutes } from './function-table';

/** Claims the session keeps: those the configured scopes release, minus `sub` (kept on its own). */
export function sessionClaims(config: StageConfig): string[] {
  return [...new Set(config.nhsLogin.scopes.flatMap((s) => CLAIMS_BY_SCOPE[s]))].filter((c) => c !== 'sub').sort();
}

/**
 * NHS login's settings page for the environment the stage signs in with: the page of the environment whose issuer
 * it is. Any other issuer is the local stage's provider (the simulator), whose settings page is `<issuer>/settings`.
 */
export function nhsLoginSettingsUrlFor(config: StageConfig): string {
  const issuer = config.nhsLogin.issuer;
  const environment = (Object.keys(NHS_LOGIN_ISSUERS) as Array<keyof typeof NHS_LOGIN_ISSUERS>).find((env) => NHS_LOGIN_ISSUERS[env] === issuer);
  return environment ? NHS_LOGIN_SETTINGS_URLS[environment] : new URL('/settings', issuer).toString();
}

/**
 * The functions' runtime settings for a stage, given the deployed table, signing key and identity assertion key.
 * `nhsLoginSettingsUrl` overrides the settings page (the local stack passes its simulator's).
 */
export function runtimeSettingsFor(
  config: StageConfig,
  resources: {
    readonly sessionTableName: string;
    readonly signingKeyId: string;
    readonly assertionKeyId: string;
    readonly nhsLoginSettingsUrl?: string;
  },
): RuntimeSettings {
  return {
    stage: config.stage,
    issuer: config.nhsLogin.issuer,
    clientId: config.nhsLogin.clientId,
    redirectUri: config.nhsLogin.redirectUri,
    scopes: config.nhsLogin.scopes,
    assuranceProfiles: config.nhsLogin.assuranceProfiles,
    defaultAssuranceProfile: config.nhsLogin.defaultAssuranceProfile,
    pkce: config.nhsLogin.pkce,
    httpTimeoutMs: config.nhsLogin.httpTimeoutMs,
    sessionClaims: sessionClaims(config),
    sessionTableName: resources.sessionTableName,
    signingKeyId: resources.signingKeyId,
    sessionIdleMinutes: config.session.idleMinutes,
    sessionAbsoluteMinutes: config.session.absoluteMinutes,
    protectedRoutes: protectedRoutesFor(config),
    startPath: config.startPath,
    assertionKeyId: resources.assertionKeyId,
    assertionLifetimeSeconds: config.identityAssertion.lifetimeSeconds,
    nhsLoginSettingsUrl: resources.nhsLoginSettingsUrl ?? nhsLoginSettingsUrlFor(config),
  };
}

/** The service's own origin: the `iss` of identity assertions, and the origin of every audience. */
export const serviceOriginOf = (config: StageConfig): string => new URL(config.nhsLogin.redirectUri).origin;

/**
 * The authorizer's rule for every resource behind it: the function table's session routes (the default profile)
 * and each non-public mount's two resources. HTTP and VPC-link targets get an identity assertion whose `aud` is the
 * mount (`<service origin><mount path>`); Lambda targets read the authorizer's context and get none.
 */
export function protectedRoutesFor(config: StageConfig): Record<string, ProtectedRoute> {
  const routes: Record<string, ProtectedRoute> = {};
  const fallback = config.nhsLogin.defaultAssuranceProfile;
  for (const r of allRoutes()) if (r.access === 'session') routes[r.path] = { kind: 'api', assurance: fallback, methods: {} };
  for (const m of config.mounts) {
    if (m.kind === 'public') continue;
    const rule: ProtectedRoute = {
      kind: m.kind,
      assurance: m.assurance ?? fallback,
      methods: Object.fromEntries(Object.entries(m.methodAssurance).filter((e): e is [string, string] => e[1] !== undefined)),
      ...(m.target.type === 'lambda' ? {} : { audience: `${serviceOriginOf(config)}${m.path}` }),
    };
    for (const resource of mountResources(m.path)) routes[resource] = rule;
  }
  return routes;
}
