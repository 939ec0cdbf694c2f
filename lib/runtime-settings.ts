import { CLAIMS_BY_SCOPE, type StageConfig } from '../config/schema';
import type { RuntimeSettings } from '../lambda/settings';

/** Claims the session keeps: those the configured scopes release, minus `sub` (kept on its own). */
export function sessionClaims(config: StageConfig): string[] {
  return [...new Set(config.nhsLogin.scopes.flatMap((s) => CLAIMS_BY_SCOPE[s]))].filter((c) => c !== 'sub').sort();
}

/** The functions' runtime settings for a stage, given the deployed table and signing key. */
export function runtimeSettingsFor(config: StageConfig, resources: { readonly sessionTableName: string; readonly signingKeyId: string }): RuntimeSettings {
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
    apiRouteAssurance: {},
  };
}
