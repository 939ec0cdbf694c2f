import { awsHostIssues } from '../../../config/mounts';
import { backendDeclarationOf, hostOf } from '../backend-declaration';
import { renderText, show } from '../intrinsics';
import { ALLOWED_REGION, findRegionNames } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, type ResourceView, type ValuePath } from '../template';

/** A host inside AWS in the allowed region (`*.eu-west-2.amazonaws.com` or one built from `${AWS::Region}`). */
export function isInRegionAwsHost(url: string): boolean {
  const host = /^[a-z]+:\/\/([^/:?#]+)/i.exec(url)?.[1] ?? '';
  return new RegExp(`\\.(${ALLOWED_REGION}|«Region»)\\.(amazonaws\\.com|«URLSuffix»)$`).test(host);
}

const FIREHOSE_EXTERNAL = ['HttpEndpointDestinationConfiguration', 'SplunkDestinationConfiguration', 'SnowflakeDestinationConfiguration'];

/**
 * Where a REST API method's HTTP integration may forward requests: an AWS host in eu-west-2; through a VPC link
 * (which reaches a load balancer of the API's own region whatever host the URI names), unless the URI names an AWS
 * host elsewhere; or over https to a declared backend (`declareBackend`: the stage's mounts), whose declared host is
 * the URI's. No declaration covers an AWS endpoint in another region or a global one (CloudFront, Global
 * Accelerator). Returns what is wrong, or nothing.
 */
function methodIntegrationIssue(resource: ResourceView, integration: Record<string, unknown>, text: string): Omit<RuleHit, 'path'> | undefined {
  const what = `${String(integration.Type)} integration to ${show(text)}`;
  if (isInRegionAwsHost(text)) return undefined;
  const host = hostOf(text);
  if (host !== undefined && awsHostIssues(host, ALLOWED_REGION, []).length > 0) {
    const region = findRegionNames(host).find((r) => r.region !== ALLOWED_REGION)?.region;
    return { message: `${what}: an AWS endpoint outside ${ALLOWED_REGION}${region ? ` (${region})` : ' (global or edge)'}`, ...(region ? { region } : {}) };
  }
  if (integration.ConnectionType === 'VPC_LINK') return undefined;
  const declared = backendDeclarationOf(resource.template, resource.logicalId);
  if (!declared) return { message: `${what}, outside AWS ${ALLOWED_REGION} and not a declared backend` };
  const declaredHost = renderText(declared.host, resource.template).toLowerCase();
  if (host?.toLowerCase() !== declaredHost)
    return { message: `${what}, outside AWS ${ALLOWED_REGION}: the declared backend is ${show(declaredHost)}, not this host` };
  if (!/^https:\/\//i.test(text)) return { message: `${what}: a declared backend is reached over https only` };
  return undefined;
}

/**
 * No push of data to HTTP endpoints outside AWS: EventBridge API destinations, Firehose HTTP/Splunk/Snowflake
 * destinations and HTTP APIs' integrations. A REST API method may forward to AWS in eu-west-2, through a VPC link, or
 * over https to a declared backend: one of the stage's mounts, which the report lists as egress beside the NHS login
 * issuer. The functions' only egress is the issuer (see `UkResidency-LambdaEgress`).
 */
export const ExternalEndpoints: ResourceRule = {
  id: 'UkResidency-ExternalEndpoints',
  scope: 'resource',
  info: `No HTTP integrations, API destinations or Firehose endpoints outside AWS ${ALLOWED_REGION}, except declared https backends (never an AWS endpoint elsewhere).`,
  explanation:
    'HTTP integrations, API destinations and Firehose HTTP or SaaS destinations forward requests, events and ' +
    'records to hosts whose location this template cannot show. The egress of this service is the NHS login ' +
    'issuer, called by the functions, and the backends the stage declares as mounts, listed in the report; an AWS ' +
    `endpoint outside ${ALLOWED_REGION} is never a backend.`,
  check(resource) {
    const hits: RuleHit[] = [];
    const p = resource.properties;
    const url = (value: unknown, path: ValuePath, what: string) => {
      const text = renderText(value, resource.template);
      if (!isInRegionAwsHost(text)) hits.push({ path, message: `${what} to ${show(text)}, outside AWS ${ALLOWED_REGION}` });
    };
    if (resource.type === 'AWS::ApiGateway::Method' && isRecord(p.Integration)) {
      const type = p.Integration.Type;
      if (type === 'HTTP' || type === 'HTTP_PROXY') {
        const issue = methodIntegrationIssue(resource, p.Integration, renderText(p.Integration.Uri, resource.template));
        if (issue) hits.push({ path: ['Integration', 'Uri'], ...issue });
      }
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
