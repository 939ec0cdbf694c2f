import type { StageConfigInput } from '../schema';
import { STANDARD_AND_HIGH } from './profiles';

/**
 * The local stack (`npm run local`): moto for KMS and DynamoDB, the NHS login simulator on loopback.
 * Not deployable; the issuer and callback ports are replaced by whatever the local stack listens on.
 */
export const local: StageConfigInput = {
  stage: 'local',
  account: '123456789012',
  region: 'eu-west-2',
  retainData: false,
  dataClassification: 'test-data-only',
  nhsLogin: {
    issuer: 'http://127.0.0.1:9400',
    clientId: 'nhs-login-rp-local',
    redirectUri: 'http://localhost:3000/auth/callback',
    scopes: ['openid', 'profile', 'email'],
    assuranceProfiles: STANDARD_AND_HIGH,
    defaultAssuranceProfile: 'standard',
    pkce: true,
  },
  session: { idleMinutes: 30, absoluteMinutes: 720 },
  logRetentionDays: 1,
  backupRetentionDays: 1,
  signingKeys: { current: 1 },
  alarmEmails: ['nobody@localhost.invalid'],
  waf: { rateLimitPer5Minutes: 100 },
  api: { throttleRateLimit: 10, throttleBurstLimit: 20 },
  // The demo backend `npm run local` starts; the local stack replaces the port with the one it listens on.
  mounts: [
    { path: '/app', kind: 'page', methods: ['GET', 'POST'], target: { type: 'http', url: 'http://127.0.0.1:9500' } },
    { path: '/api/demo', kind: 'api', methods: ['GET', 'POST'], assurance: 'high', target: { type: 'http', url: 'http://127.0.0.1:9500' } },
  ],
};
