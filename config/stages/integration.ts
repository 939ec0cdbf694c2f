import { NHS_LOGIN_ISSUERS, type StageConfigInput } from '../schema';
import { STANDARD_AND_HIGH } from './profiles';

/** NHS login integration (AOS): needs an ODS code and DSPT; data is retained as in production. */
export const integration: StageConfigInput = {
  stage: 'integration',
  account: '222222222222',
  region: 'eu-west-2',
  retainData: true,
  dataClassification: 'official-sensitive-personal',
  nhsLogin: {
    issuer: NHS_LOGIN_ISSUERS.integration,
    clientId: 'nhs-login-rp-integration',
    redirectUri: 'https://integration.signin.example.nhs.uk/auth/callback',
    scopes: ['openid', 'profile', 'email'],
    assuranceProfiles: STANDARD_AND_HIGH,
    defaultAssuranceProfile: 'standard',
    pkce: true,
  },
  session: { idleMinutes: 30, absoluteMinutes: 720 },
  logRetentionDays: 365,
  backupRetentionDays: 35,
  // Governance mode: recovery points cannot be deleted early except by a principal allowed to lift the lock.
  backupVaultLock: { mode: 'governance', minRetentionDays: 7, maxRetentionDays: 90 },
  signingKeys: { current: 1 },
  alarmEmails: ['nhs-login-rp-alerts@example.nhs.uk'],
  waf: { rateLimitPer5Minutes: 1000 },
  api: { throttleRateLimit: 50, throttleBurstLimit: 100 },
  customDomain: {
    domainName: 'integration.signin.example.nhs.uk',
    certificateArn: 'arn:aws:acm:eu-west-2:222222222222:certificate/4e2d7c1b-8a3f-4b6e-9c5d-2f1a0e9b8c7d',
  },
};
