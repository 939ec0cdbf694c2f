import { denyPosition, findArns, isIntegrationArn, MARKER, walkText } from '../intrinsics';
import { ALLOWED, isAllowedRegion, isForeignRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';

/**
 * ARNs carry no region only for global control planes. IAM and STS identities and Route 53 hold no data of this
 * service; S3 bucket ARNs carry no region at all (where buckets may send data is `UkResidency-S3DataMovement`'s
 * job); `dataprotection` ARNs name AWS's managed data identifiers (`arn:aws:dataprotection::aws:data-identifier/...`),
 * which a data protection policy applies in its own region; `organizations` ARNs (in policy conditions) name the
 * organisation, whose control plane holds no data of the service. Every other service without a region (CloudFront, Global Accelerator, WAF Classic, Shield) is outside the
 * UK.
 */
export const REGIONLESS_SERVICES: readonly string[] = ['iam', 'sts', 'route53', 's3', 'dataprotection', 'organizations'];

/** Every ARN in a resource has the region field eu-west-2 or `${AWS::Region}` (or none, for global control planes). */
export const ArnRegions: ResourceRule = {
  id: 'UkResidency-ArnRegions',
  scope: 'resource',
  generic: true,
  info: `Every ARN must be in ${ALLOWED} (or \${AWS::Region}); only ${REGIONLESS_SERVICES.join(', ')} ARNs may have no region.`,
  explanation:
    'An ARN names where a resource lives. A destination, a target, a key or a layer whose ARN is in another region ' +
    'sends data or runs code there; an ARN of a global service (CloudFront, Global Accelerator) is outside the UK ' +
    'by definition; an ARN whose region is a parameter or a wildcard cannot be shown to stay in the UK.',
  check(resource) {
    const hits: RuleHit[] = [];
    walkText(resource.properties, resource.template, (text, path, ancestors) => {
      for (const arn of findArns(text)) {
        if (isAllowedRegion(arn.region, resource.settings) || arn.region === MARKER.region) continue;
        if (arn.region === '' && REGIONLESS_SERVICES.includes(arn.service)) continue;
        if (isIntegrationArn(arn)) continue; // arn:aws:states:::dynamodb:putItem runs in the caller's region
        const position = denyPosition(path, ancestors);
        if (position === 'restrictive') continue;
        const suffix = position === 'exempting' ? ' (exempted from an IAM Deny)' : '';
        if (isForeignRegion(arn.region, resource.settings)) {
          hits.push({ path, region: arn.region, message: `ARN in ${arn.region}: ${arn.arn}${suffix}` });
        } else if (arn.region === '') {
          hits.push({ path, message: `ARN of a global ${arn.service || '(unknown)'} service, outside ${ALLOWED}: ${arn.arn}${suffix}` });
        } else {
          hits.push({ path, message: `ARN whose region (${arn.region}) cannot be shown to be ${ALLOWED}: ${arn.arn}${suffix}` });
        }
      }
    });
    return hits;
  },
};
