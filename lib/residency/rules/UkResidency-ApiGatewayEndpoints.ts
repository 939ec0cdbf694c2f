import { show } from '../intrinsics';
import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, select } from '../template';

const ALLOWED_TYPES = ['REGIONAL', 'PRIVATE'];

function endpointTypes(properties: Readonly<Record<string, unknown>>): unknown {
  const config = properties.EndpointConfiguration;
  return isRecord(config) ? config.Types : undefined;
}

/**
 * API Gateway REST APIs and custom domains are REGIONAL (or PRIVATE). An EDGE endpoint is a CloudFront
 * distribution managed by API Gateway, and it is what both CloudFormation and CDK's `RestApi` give when
 * `EndpointConfiguration` is left out.
 */
export const ApiGatewayEndpoints: ResourceRule = {
  id: 'UkResidency-ApiGatewayEndpoints',
  scope: 'resource',
  info: 'REST APIs and API Gateway domain names must declare a REGIONAL (or PRIVATE) endpoint and use a regional certificate.',
  explanation:
    'An edge-optimised endpoint (the default when EndpointConfiguration is omitted) is fronted by CloudFront: ' +
    `TLS is terminated and requests decrypted at edge locations worldwide, not in ${ALLOWED}. An edge domain ` +
    'name also needs a certificate in us-east-1 (CertificateArn) instead of a regional one (RegionalCertificateArn).',
  check(resource) {
    const hits: RuleHit[] = [];
    const p = resource.properties;
    if (resource.type === 'AWS::ApiGateway::RestApi' || resource.type === 'AWS::ApiGateway::DomainName') {
      const types = endpointTypes(p);
      if (types === undefined) {
        hits.push({ path: ['EndpointConfiguration'], message: 'no EndpointConfiguration: API Gateway makes it EDGE (CloudFront)' });
      } else {
        const list = Array.isArray(types) ? types : [types];
        list.forEach((t, i) => {
          if (!ALLOWED_TYPES.includes(t as string))
            hits.push({ path: ['EndpointConfiguration', 'Types', i], message: `endpoint type ${show(t)} (not REGIONAL or PRIVATE)` });
        });
      }
    }
    if (resource.type === 'AWS::ApiGateway::DomainName' && p.CertificateArn !== undefined) {
      hits.push({
        path: ['CertificateArn'],
        message: `edge certificate (CertificateArn ${show(p.CertificateArn)}): use RegionalCertificateArn in ${ALLOWED}`,
      });
    }
    if (resource.type === 'AWS::ApiGatewayV2::DomainName') {
      for (const { value, path } of select(p, 'DomainNameConfigurations.*.EndpointType')) {
        if (value !== 'REGIONAL') hits.push({ path, message: `endpoint type ${show(value)} (not REGIONAL)` });
      }
    }
    return hits;
  },
};
