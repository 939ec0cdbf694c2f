import { ALLOWED } from '../regions';
import { denyTypes, type ResourceRule } from '../rule';

/**
 * DNS features bound to another region by design: DNSSEC signing (its key-signing key needs a KMS key in US East
 * (N. Virginia)) and Route 53 Application Recovery Controller (a global control plane whose clusters span several
 * regions). Health checks and query logging are `UkResidency-GlobalRouting`'s.
 */
const types = denyTypes(
  {
    id: 'UkResidency-GlobalDns',
    info: 'No Route 53 DNSSEC signing (key-signing keys) and no Route 53 Application Recovery Controller resources.',
    explanation:
      'The customer managed key that Route 53 DNSSEC signing uses must be in the US East (N. Virginia) Region (Amazon ' +
      'Route 53 Developer Guide, "Working with customer managed keys for DNSSEC": ' +
      'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-configuring-dnssec-cmk-requirements.html), so ' +
      `key material of this service would live outside ${ALLOWED}. Application Recovery Controller is a global service ` +
      'whose cluster endpoints run in several Regions and which exists to move traffic between Regions.',
  },
  {
    'AWS::Route53::KeySigningKey': 'the key-signing key is backed by a KMS key in us-east-1',
    'AWS::Route53::DNSSEC': 'DNSSEC signing needs a key-signing key backed by a KMS key in us-east-1',
  },
  {
    'AWS::Route53RecoveryControl::': 'Application Recovery Controller is a global service spanning several regions',
    'AWS::Route53RecoveryReadiness::': 'Application Recovery Controller readiness checks are global and span regions',
  },
);

/** The DNS features above, and query logging configured on a hosted zone itself (its log group must be in us-east-1). */
export const GlobalDns: ResourceRule = {
  ...types,
  info: 'No Route 53 DNSSEC signing (key-signing keys), no query logging on a hosted zone and no Route 53 Application Recovery Controller resources.',
  check(resource) {
    const hits = types.check(resource);
    if (resource.type === 'AWS::Route53::HostedZone' && resource.properties.QueryLoggingConfig !== undefined) {
      hits.push({ path: ['QueryLoggingConfig'], message: 'hosted zone query logs are delivered to a log group in us-east-1' });
    }
    return hits;
  },
};
