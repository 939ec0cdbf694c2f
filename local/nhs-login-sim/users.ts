import type { SimUserId } from './contract';
import type { IdentityLevel } from './vectors';
import { CLAIMS_BY_SCOPE } from '../../config/schema';

/**
 * Test users. NHS numbers are from the 999 range reserved for testing and carry valid Modulus 11 check digits;
 * phone numbers are from Ofcom's drama ranges; e-mail addresses use example.com. Subjects are fixed UUIDs, as
 * NHS login's `sub` values are, so tests can recognise each user.
 */
export interface SimUser {
  readonly id: SimUserId;
  readonly sub: string;
  readonly level: IdentityLevel;
  /** Claims this user has, by claim name; which of them are released depends on the approved and requested scopes. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Signs in, then refuses consent: NHS login answers `access_denied` / `ConsentNotGiven`. */
  readonly declinesConsent?: boolean;
}

const P9_CLAIMS = {
  nhs_number: '9990000018',
  family_name: 'MILLAR',
  given_name: 'Mona',
  birthdate: '1968-02-12',
  email: 'mona.millar@example.com',
  email_verified: true,
  phone_number: '+447700900101',
  phone_number_verified: true,
  phone_number_pds_matched: true,
  landline_number: '+441632960101',
  landline_number_verified: false,
  gp_registration_details: { gp_ods_code: 'Y12345' },
  gp_user_id: '8c2f0a0e-0001-4f7e-9b1a-000000000009',
  gp_ods_code: 'Y12345',
  gp_linkage_key: 'Sim9LinkageKey0001',
  client_user_metadata: 'sim-p9-metadata',
};

export const SIM_USERS: Readonly<Record<SimUserId, SimUser>> = {
  p0: {
    id: 'p0',
    sub: '0b8f4d52-9d0e-4c55-8f3e-000000000000',
    level: 'P0',
    // P0 means a verified e-mail address and mobile number only: nothing from PDS.
    claims: {
      email: 'pat.zero@example.com',
      email_verified: true,
      phone_number: '+447700900100',
      phone_number_verified: true,
      phone_number_pds_matched: false,
    },
  },
  p5: {
    id: 'p5',
    sub: '5d1c2b3a-7e6f-4a8b-9c0d-000000000005',
    level: 'P5',
    // P5 means details matched to PDS: demographics but no GP integration credentials (P9 only).
    claims: {
      nhs_number: '9990000026',
      family_name: 'FIVER',
      given_name: 'Freya',
      birthdate: '1990-05-05',
      email: 'freya.fiver@example.com',
      email_verified: true,
      phone_number: '+447700900105',
      phone_number_verified: true,
      phone_number_pds_matched: true,
      gp_registration_details: { gp_ods_code: 'Y23456' },
      client_user_metadata: 'sim-p5-metadata',
    },
  },
  p9: {
    id: 'p9',
    sub: '9a7e6d5c-4b3a-4291-8f0e-000000000009',
    level: 'P9',
    claims: P9_CLAIMS,
  },
  'declines-consent': {
    id: 'declines-consent',
    sub: 'dc0e5e17-2c4b-4a1f-9e8d-0000000000dc',
    level: 'P9',
    claims: { ...P9_CLAIMS, nhs_number: '9990000034', family_name: 'NOCONSENT', given_name: 'Dee' },
    declinesConsent: true,
  },
};

export function userBySub(sub: string): SimUser | undefined {
  return Object.values(SIM_USERS).find((user) => user.sub === sub);
}

/**
 * Claims per scope: NHS login's scope table (the one the relying party's config uses), plus `vot`, `vtm` and `jti`
 * under `openid` so they reach the ID token.
 */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  ...CLAIMS_BY_SCOPE,
  openid: [...CLAIMS_BY_SCOPE.openid, 'vot', 'vtm', 'jti'],
};

export const ALL_SCOPES: readonly string[] = Object.keys(SCOPE_CLAIMS);
