import { classifyUrl, declaredHostOf } from '../egress';
import { isAllowedRegionValue, regionOfDestination, renderText, show } from '../intrinsics';
import { ALLOWED, isForeignRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { select, type ValuePath } from '../template';

/**
 * Protocols that deliver to an AWS resource named by ARN (checked for region), to an operator's mailbox, or to a URL
 * (which must be declared egress, over https).
 */
export const ALLOWED_SNS_PROTOCOLS: Readonly<Record<string, 'arn' | 'address' | 'url'>> = {
  sqs: 'arn',
  lambda: 'arn',
  firehose: 'arn',
  email: 'address',
  'email-json': 'address',
  https: 'url',
  http: 'url',
};

/**
 * SNS subscriptions deliver in region: `Region` absent or an allowed region, the protocol one of the allow-list (no
 * SMS, no mobile push, which hand messages to services outside the UK), an ARN endpoint in an allowed region, and an
 * http(s) endpoint only to declared egress over https.
 */
export const SnsSubscriptions: ResourceRule = {
  id: 'UkResidency-SnsSubscriptions',
  scope: 'resource',
  info: `SNS subscriptions must have no Region other than ${ALLOWED}, an allowed protocol (${Object.keys(ALLOWED_SNS_PROTOCOLS).join(', ')}), an endpoint in ${ALLOWED} and http(s) only to declared egress over https.`,
  explanation:
    'A subscription with another Region delivers from a topic there (or from here to there); sms and application ' +
    'endpoints hand each message to a service outside AWS or outside the UK, and an http or https endpoint to a host ' +
    'this template cannot locate unless it is declared egress. Alarm e-mail to operators is the only other non-AWS delivery.',
  check(resource) {
    const hits: RuleHit[] = [];
    const subscriptions: { value: Record<string, unknown>; path: ValuePath }[] = [];
    if (resource.type === 'AWS::SNS::Subscription') subscriptions.push({ value: resource.properties as Record<string, unknown>, path: [] });
    if (resource.type === 'AWS::SNS::Topic') {
      for (const s of select(resource.properties, 'Subscription.*')) subscriptions.push({ value: s.value as Record<string, unknown>, path: s.path });
    }
    for (const { value, path } of subscriptions) {
      const region = value.Region;
      if (region !== undefined && !isAllowedRegionValue(region, resource.settings)) {
        hits.push({
          path: [...path, 'Region'],
          message: `subscription Region ${show(region)}`,
          ...(typeof region === 'string' && isForeignRegion(region, resource.settings) ? { region } : {}),
        });
      }
      const protocol = typeof value.Protocol === 'string' ? value.Protocol.toLowerCase() : undefined;
      const kind = protocol ? ALLOWED_SNS_PROTOCOLS[protocol] : undefined;
      if (!kind) {
        hits.push({ path: [...path, 'Protocol'], message: `protocol ${show(value.Protocol)} delivers outside AWS or outside ${ALLOWED}` });
      } else if (kind === 'url') {
        const url = renderText(value.Endpoint, resource.template);
        const verdict = classifyUrl(url, resource.settings, declaredHostOf(resource));
        if (verdict.kind === 'plain-http' || (protocol === 'http' && verdict.kind === 'declared'))
          hits.push({ path: [...path, 'Protocol'], message: `${show(value.Protocol)} delivery to ${show(url)}: declared egress is reached over https only` });
        else if (verdict.kind === 'aws-elsewhere')
          hits.push({
            path: [...path, 'Endpoint'],
            message: `delivers to an AWS endpoint outside ${ALLOWED} (${show(url)})`,
            ...(verdict.region ? { region: verdict.region } : {}),
          });
        else if (verdict.kind === 'undeclared' || verdict.kind === 'unknown-host' || verdict.kind === 'private')
          hits.push({ path: [...path, 'Endpoint'], message: `delivers messages to ${show(url)}, outside AWS ${ALLOWED} and not declared egress` });
      } else if (kind === 'arn') {
        const verdict = regionOfDestination(value.Endpoint, resource.template, resource.settings);
        if (verdict.kind === 'foreign') hits.push({ path: [...path, 'Endpoint'], region: verdict.region, message: `endpoint in ${verdict.region}` });
        else if (verdict.kind === 'unproven') hits.push({ path: [...path, 'Endpoint'], message: `endpoint not shown to be in ${ALLOWED}: ${verdict.how}` });
      }
    }
    return hits;
  },
};
