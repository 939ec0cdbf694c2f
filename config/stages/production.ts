import { NHS_LOGIN_ISSUERS, type StageConfigInput } from '../schema';
import { STANDARD_AND_HIGH } from './profiles';

/** NHS login production: personal data, everything retained and protected from deletion. */
export const production: StageConfigInput = {
  stage: 'production',
  account: '333333333333',
  region: 'eu-west-2',
  retainData: true,
  dataClassification: 'official-sensitive-personal',
  nhsLogin: {
    issuer: NHS_LOGIN_ISSUERS.production,
    clientId: 'nhs-login-rp-production',
    redirectUri: 'https://signin.example.nhs.uk/auth/callback',
    scopes: ['openid', 'profile', 'email'],
    assuranceProfiles: STANDARD_AND_HIGH,
    defaultAssuranceProfile: 'standard',
    pkce: true,
  },
  session: { idleMinutes: 30, absoluteMinutes: 720 },
  logRetentionDays: 731,
  backupRetentionDays: 35,
  // Compliance mode: after 3 days' grace nobody, not even the account root, can delete a recovery point early.
  backupVaultLock: { mode: 'compliance', minRetentionDays: 35, maxRetentionDays: 365, changeableForDays: 3 },
  dataKeyRotationDays: 365,
  signingKeys: { current: 1 },
  alarmEmails: ['nhs-login-rp-alerts@example.nhs.uk'],
  waf: { rateLimitPer5Minutes: 2000 },
  api: { throttleRateLimit: 200, throttleBurstLimit: 400 },
  reservedConcurrency: { login: 100, callback: 100, logout: 50, 'signed-out': 50, session: 100, authorizer: 200, me: 100 },
  customDomain: {
    domainName: 'signin.example.nhs.uk',
    certificateArn: 'arn:aws:acm:eu-west-2:333333333333:certificate/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  },
};
