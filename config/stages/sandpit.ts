import { NHS_LOGIN_ISSUERS, type StageConfigInput } from '../schema';
import { STANDARD_AND_HIGH } from './profiles';

/** NHS login sandpit: test users only, no PDS or Spine. Throwaway data, so nothing is retained on delete. */
export const sandpit: StageConfigInput = {
  stage: 'sandpit',
  account: '111111111111',
  region: 'eu-west-2',
  retainData: false,
  dataClassification: 'test-data-only',
  nhsLogin: {
    issuer: NHS_LOGIN_ISSUERS.sandpit,
    clientId: 'nhs-login-rp-sandpit',
    redirectUri: 'https://sandpit.signin.example.nhs.uk/auth/callback',
    scopes: ['openid', 'profile', 'email'],
    assuranceProfiles: STANDARD_AND_HIGH,
    defaultAssuranceProfile: 'standard',
    pkce: true,
  },
  session: { idleMinutes: 30, absoluteMinutes: 720 },
  logRetentionDays: 30,
  backupRetentionDays: 7,
  signingKeys: { current: 1 },
  alarmEmails: ['nhs-login-rp-alerts@example.nhs.uk'],
  waf: { rateLimitPer5Minutes: 500 },
  api: { throttleRateLimit: 20, throttleBurstLimit: 40 },
  customDomain: {
    domainName: 'sandpit.signin.example.nhs.uk',
    certificateArn: 'arn:aws:acm:eu-west-2:111111111111:certificate/0c6b4a9e-1f2d-4c3b-9a8e-5d7f6e4b3a21',
  },
};
