import { isAllowedRegionValue, regionOfDestination, show } from '../intrinsics';
import { ALLOWED_REGION, isForeignRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { select, type ValuePath } from '../template';

/** Protocols that deliver to an AWS resource named by ARN (checked for region) or to an operator's mailbox. */
export const ALLOWED_SNS_PROTOCOLS: Readonly<Record<string, 'arn' | 'address'>> = {
  sqs: 'arn',
  lambda: 'arn',
  firehose: 'arn',
  email: 'address',
  'email-json': 'address',
};

/**
 * SNS subscriptions deliver in region: `Region` absent or eu-west-2, the protocol one of the allow-list (no
 * http/https webhooks, no SMS, no mobile push, which hand messages to services outside the UK), and an ARN
 * endpoint in eu-west-2.
 */
export const SnsSubscriptions: ResourceRule = {
  id: 'UkResidency-SnsSubscriptions',
  scope: 'resource',
  info: `SNS subscriptions must have no Region other than ${ALLOWED_REGION}, an allowed protocol (${Object.keys(ALLOWED_SNS_PROTOCOLS).join(', ')}) and an endpoint in ${ALLOWED_REGION}.`,
  explanation:
    'A subscription with another Region delivers from a topic there (or from here to there); http, https, sms and ' +
    'application endpoints hand each message to a service outside AWS or outside the UK. Alarm e-mail to ' +
    'operators is the only non-AWS delivery this service needs.',
  check(resource) {
    const hits: RuleHit[] = [];
    const subscriptions: { value: Record<string, unknown>; path: ValuePath }[] = [];
    if (resource.type === 'AWS::SNS::Subscription') subscriptions.push({ value: resource.properties as Record<string, unknown>, path: [] });
    if (resource.type === 'AWS::SNS::Topic') {
      for (const s of select(resource.properties, 'Subscription.*')) subscriptions.push({ value: s.value as Record<string, unknown>, path: s.path });
    }
    for (const { value, path } of subscriptions) {
      const region = value.Region;
      if (region !== undefined && !isAllowedRegionValue(region)) {
        hits.push({
          path: [...path, 'Region'],
          message: `subscription Region ${show(region)}`,
          ...(typeof region === 'string' && isForeignRegion(region) ? { region } : {}),
        });
      }
      const protocol = typeof value.Protocol === 'string' ? value.Protocol.toLowerCase() : undefined;
      const kind = protocol ? ALLOWED_SNS_PROTOCOLS[protocol] : undefined;
      if (!kind) {
        hits.push({ path: [...path, 'Protocol'], message: `protocol ${show(value.Protocol)} delivers outside AWS or outside ${ALLOWED_REGION}` });
      } else if (kind === 'arn') {
        const verdict = regionOfDestination(value.Endpoint, resource.template);
        if (verdict.kind === 'foreign') hits.push({ path: [...path, 'Endpoint'], region: verdict.region, message: `endpoint in ${verdict.region}` });
        else if (verdict.kind === 'unproven')
          hits.push({ path: [...path, 'Endpoint'], message: `endpoint not shown to be in ${ALLOWED_REGION}: ${verdict.how}` });
      }
    }
    return hits;
  },
};
