import { denyPosition, findArns, walkText } from '../intrinsics';
import { ALLOWED, findRegionNames, isAllowedRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';

/**
 * No string of a resource names a region other than eu-west-2: not in a property, not inside the pieces of an
 * `Fn::Join` or an `Fn::Sub`, not inside the JSON of a custom resource call or a policy, not in a Lambda
 * environment value. Region fields of ARNs are left to `UkResidency-ArnRegions`, which says more about them.
 */
export const RegionNames: ResourceRule = {
  id: 'UkResidency-RegionNames',
  scope: 'resource',
  generic: true,
  info: `No string may name a region other than ${ALLOWED}.`,
  explanation:
    'A region name in a property (an endpoint, a replica region, a queue URL, a JSON API call of a custom ' +
    'resource, an environment variable a function reads) is how a resource reaches or copies data to another ' +
    `region. ${ALLOWED}, \${AWS::Region} and pseudo parameters pass; so does a region named by an IAM Deny ` +
    '(Resource, Action or a positive condition), which can only take permissions away.',
  check(resource) {
    const hits: RuleHit[] = [];
    walkText(resource.properties, resource.template, (text, path, ancestors) => {
      const arnRegionFields = findArns(text).map((a) => [a.regionStart, a.regionEnd] as const);
      for (const { region, index } of findRegionNames(text)) {
        if (isAllowedRegion(region, resource.settings)) continue;
        if (arnRegionFields.some(([start, end]) => index >= start && index < end)) continue;
        const position = denyPosition(path, ancestors);
        if (position === 'restrictive') continue;
        hits.push({
          path,
          region,
          message: position === 'exempting' ? `${region} is exempted from an IAM Deny (it weakens the region guard)` : `names region ${region}`,
        });
      }
    });
    return hits;
  },
};
