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
  // A worked example of each target kind, so the templates show all three. Replace with your own backends.
  mounts: [
    {
      // A web app on a private Network Load Balancer, reached through an existing VPC link.
      path: '/app',
      kind: 'page',
      methods: ['GET', 'POST'],
      target: { type: 'vpcLink', vpcLinkId: 'a1b2c3', nlbDnsName: 'partner-app-0123456789abcdef.elb.eu-west-2.amazonaws.com' },
    },
    {
      // An API in a Lambda function of the same account: reading needs P5, changing needs P9.
      path: '/api/records',
      kind: 'api',
      methods: ['GET', 'POST'],
      assurance: 'standard',
      methodAssurance: { POST: 'high' },
      target: { type: 'lambda', functionArn: 'arn:aws:lambda:eu-west-2:111111111111:function:partner-records-api' },
    },
    {
      // A public HTTPS backend: its host is declared egress in the residency report.
      path: '/api/appointments',
      kind: 'api',
      methods: ['GET'],
      target: { type: 'http', url: 'https://appointments.partner.example.nhs.uk/v1' },
    },
    {
      // Static assets and a health check: no session needed.
      path: '/static',
      kind: 'public',
      methods: ['GET', 'HEAD'],
      target: { type: 'http', url: 'https://static.partner.example.nhs.uk' },
    },
  ],
  customDomain: {
    domainName: 'sandpit.signin.example.nhs.uk',
    certificateArn: 'arn:aws:acm:eu-west-2:111111111111:certificate/0c6b4a9e-1f2d-4c3b-9a8e-5d7f6e4b3a21',
  },
};
