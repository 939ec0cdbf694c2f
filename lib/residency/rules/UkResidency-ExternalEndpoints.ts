import { classifyUrl, declaredHostOf, egressUses } from '../egress';
import { show } from '../intrinsics';
import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';

/**
 * No data to a host outside AWS unless it is declared egress. Wherever a template names a URL the service sends
 * requests, events or records to (see `egressUses`: API Gateway HTTP integrations and OpenAPI bodies, AppSync HTTP
 * data sources, Step Functions HTTP tasks, EventBridge API destinations and connections, Firehose HTTP, Splunk and
 * Snowflake destinations), the URL must lead to AWS in the allowed region(s), through a VPC link (which reaches a
 * load balancer of the API's own region whatever host the URI names, unless it names an AWS host elsewhere), or over
 * https to declared egress: a host of the settings' `egressHosts` (the NHS login issuers by default) or the host
 * the resource itself declares with `declareBackend`. No declaration covers an AWS endpoint in another region or a
 * global one (CloudFront, Global Accelerator). Lambda environments and SNS subscriptions have rules of their own.
 */
export const ExternalEndpoints: ResourceRule = {
  id: 'UkResidency-ExternalEndpoints',
  scope: 'resource',
  info: `No HTTP integration, OpenAPI integration, AppSync HTTP data source, Step Functions HTTP task, API destination, connection or Firehose endpoint outside AWS ${ALLOWED}, except declared egress over https (never an AWS endpoint elsewhere).`,
  explanation:
    'HTTP integrations, HTTP tasks, API destinations and Firehose HTTP or SaaS destinations forward requests, events and ' +
    'records to hosts whose location this template cannot show. The egress of this service is declared: the NHS login ' +
    'issuer and the backends the stage declares as mounts, listed in the report; an AWS endpoint outside the allowed ' +
    'region is never declared egress.',
  check(resource) {
    if (resource.type === 'AWS::SNS::Subscription' || resource.type === 'AWS::SNS::Topic') return [];
    const hits: RuleHit[] = [];
    const declaredHost = declaredHostOf(resource);
    for (const use of egressUses(resource)) {
      const what = `${use.what} to ${show(use.url)}`;
      const verdict = classifyUrl(use.url, resource.settings, declaredHost);
      switch (verdict.kind) {
        case 'aws-elsewhere':
          hits.push({
            path: use.path,
            message: `${what}: an AWS endpoint outside ${ALLOWED}${verdict.region ? ` (${verdict.region})` : ' (global or edge)'}`,
            ...(verdict.region ? { region: verdict.region } : {}),
          });
          break;
        case 'aws-in-region':
        case 'loopback':
        case 'private':
        case 'declared':
          break;
        default:
          if (use.vpcLink) break;
          if (verdict.kind === 'plain-http') hits.push({ path: use.path, message: `${what}: declared egress is reached over https only` });
          else if (verdict.kind === 'unknown-host')
            hits.push({ path: use.path, message: `${what}: the host cannot be read from the template, so it cannot be shown to be declared egress` });
          else if (declaredHost !== undefined)
            hits.push({ path: use.path, message: `${what}, outside AWS ${ALLOWED}: the declared backend is ${show(declaredHost)}, not this host` });
          else hits.push({ path: use.path, message: `${what}, outside AWS ${ALLOWED} and not declared egress` });
      }
    }
    return hits;
  },
};
