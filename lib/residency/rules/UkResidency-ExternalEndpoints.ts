import { renderText, show } from '../intrinsics';
import { ALLOWED_REGION } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, type ValuePath } from '../template';

/** A host inside AWS in the allowed region (`*.eu-west-2.amazonaws.com` or one built from `${AWS::Region}`). */
export function isInRegionAwsHost(url: string): boolean {
  const host = /^[a-z]+:\/\/([^/:?#]+)/i.exec(url)?.[1] ?? '';
  return new RegExp(`\\.(${ALLOWED_REGION}|«Region»)\\.(amazonaws\\.com|«URLSuffix»)$`).test(host);
}

const FIREHOSE_EXTERNAL = ['HttpEndpointDestinationConfiguration', 'SplunkDestinationConfiguration', 'SnowflakeDestinationConfiguration'];

/**
 * No push of data to HTTP endpoints outside AWS: API Gateway HTTP integrations, EventBridge API destinations and
 * Firehose HTTP/Splunk/Snowflake destinations. The service's only egress is the NHS login issuer, reached by the
 * functions (see `UkResidency-LambdaEgress`), never by infrastructure.
 */
export const ExternalEndpoints: ResourceRule = {
  id: 'UkResidency-ExternalEndpoints',
  scope: 'resource',
  info: `No HTTP integrations, API destinations or Firehose endpoints outside AWS ${ALLOWED_REGION}.`,
  explanation:
    'HTTP integrations, API destinations and Firehose HTTP or SaaS destinations forward requests, events and ' +
    'records to hosts whose location this template cannot show. The only egress of this service is the NHS login ' +
    'issuer, called by the functions.',
  check(resource) {
    const hits: RuleHit[] = [];
    const p = resource.properties;
    const url = (value: unknown, path: ValuePath, what: string) => {
      const text = renderText(value, resource.template);
      if (!isInRegionAwsHost(text)) hits.push({ path, message: `${what} to ${show(text)}, outside AWS ${ALLOWED_REGION}` });
    };
    if (resource.type === 'AWS::ApiGateway::Method' && isRecord(p.Integration)) {
      const type = p.Integration.Type;
      if (type === 'HTTP' || type === 'HTTP_PROXY') url(p.Integration.Uri, ['Integration', 'Uri'], `${type} integration`);
    }
    if (resource.type === 'AWS::ApiGatewayV2::Integration' && p.IntegrationType === 'HTTP_PROXY') {
      const text = renderText(p.IntegrationUri, resource.template);
      if (/^https?:/i.test(text)) url(p.IntegrationUri, ['IntegrationUri'], 'HTTP_PROXY integration');
    }
    if (resource.type === 'AWS::Events::ApiDestination') url(p.InvocationEndpoint, ['InvocationEndpoint'], 'API destination');
    if (resource.type === 'AWS::KinesisFirehose::DeliveryStream') {
      for (const key of FIREHOSE_EXTERNAL) {
        if (p[key] !== undefined)
          hits.push({ path: [key], message: `Firehose ${key.replace(/Configuration$/, '')} sends records outside AWS ${ALLOWED_REGION}` });
      }
    }
    return hits;
  },
};
