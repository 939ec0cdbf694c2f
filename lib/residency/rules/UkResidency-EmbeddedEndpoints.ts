import { TELEMETRY_SAAS_HOSTS } from '../egress';
import { walkText } from '../intrinsics';
import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';

/** AWS endpoints that are global edges, whatever region the template is in. */
const EDGE_HOST = /\b[a-z0-9.-]*\.(cloudfront\.net|awsglobalaccelerator\.com)\b/i;

/**
 * No string anywhere (a property, user data, `cfn-init` files and commands, an agent configuration, a payload, at
 * any depth of encoding) names a telemetry SaaS endpoint or a global AWS edge endpoint. Region names in endpoints
 * are `UkResidency-RegionNames`'; URLs the service sends data to are `UkResidency-ExternalEndpoints`' and
 * `UkResidency-LambdaEgress`'.
 */
export const EmbeddedEndpoints: ResourceRule = {
  id: 'UkResidency-EmbeddedEndpoints',
  scope: 'resource',
  generic: true,
  info: 'No string may name a telemetry SaaS endpoint or a CloudFront or Global Accelerator endpoint.',
  explanation:
    'An agent configuration, user data script or payload that points at an observability or error-reporting service ' +
    '(Datadog, New Relic, Sentry...) ships logs and traces, which record requests, to that service; one that points at a ' +
    `CloudFront or Global Accelerator endpoint sends data through edge locations worldwide. Neither stays in ${ALLOWED}.`,
  check(resource) {
    const hits: RuleHit[] = [];
    walkText(resource.properties, resource.template, (text, path) => {
      const telemetry = TELEMETRY_SAAS_HOSTS.exec(text);
      if (telemetry) hits.push({ path, message: `names the telemetry service ${telemetry[0]}` });
      const edge = EDGE_HOST.exec(text);
      if (edge) hits.push({ path, message: `names the global edge endpoint ${edge[0]}` });
    });
    return hits;
  },
};
