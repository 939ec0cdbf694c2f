import { MARKER } from '../intrinsics';
import { ALLOWED, findRegionNames, isAllowedRegion } from '../regions';
import type { AssetRule, RuleHit } from '../rule';

/**
 * Assets (Lambda code, nested templates, container images) are published to the CDK bootstrap bucket and
 * repository named in each `*.assets.json`. Publishing to a bootstrap in another region copies the code, and any
 * data bundled with it, out of the UK before CloudFormation runs.
 */
export const AssetDestinations: AssetRule = {
  id: 'UkResidency-AssetDestinations',
  scope: 'assets',
  info: `Every asset manifest destination must be in ${ALLOWED}.`,
  explanation:
    'cdk deploy publishes each asset (function code, nested templates, images) to the destinations in the asset ' +
    `manifest before any stack is created; a destination in another region copies them out of ${ALLOWED}, ` +
    'and one without a region goes wherever the credentials point.',
  check(destinations, settings) {
    const hits: RuleHit[] = [];
    for (const d of destinations) {
      const region = d.region === '${AWS::Region}' ? MARKER.region : d.region;
      if (region === undefined || region === '' || region === MARKER.region) {
        hits.push({ path: [...d.path, 'region'], message: `asset destination has no fixed region (${d.region ?? 'none'}): it must be ${ALLOWED}` });
        continue;
      }
      if (!isAllowedRegion(region, settings)) {
        hits.push({ path: [...d.path, 'region'], message: `asset published to ${region}`, region });
        continue; // bucket and role names only repeat the region
      }
      for (const [field, value] of Object.entries(d.fields)) {
        for (const r of findRegionNames(value)) {
          if (!isAllowedRegion(r.region, settings))
            hits.push({ path: [...d.path, field], message: `asset destination ${field} names ${r.region}`, region: r.region });
        }
      }
    }
    return hits;
  },
};
