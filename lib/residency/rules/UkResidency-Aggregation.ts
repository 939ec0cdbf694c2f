import { show } from '../intrinsics';
import { ALLOWED_REGION } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord } from '../template';

/**
 * No multi-region aggregation: a multi-region trail or an AWS Config aggregator over all (or other) regions
 * gathers records across regions into one place, which ties this account's records to other regions.
 */
export const Aggregation: ResourceRule = {
  id: 'UkResidency-Aggregation',
  scope: 'resource',
  info: 'No multi-region CloudTrail trails and no AWS Config aggregators over other regions.',
  explanation:
    'A multi-region trail records API activity (which includes resource names and request parameters) from every ' +
    'region into one bucket; a Config aggregator over all regions copies configuration records across regions. ' +
    `Both move records across the ${ALLOWED_REGION} boundary; organisation-wide aggregation belongs to the landing zone.`,
  check(resource) {
    const hits: RuleHit[] = [];
    const p = resource.properties;
    if (resource.type === 'AWS::CloudTrail::Trail' && (p.IsMultiRegionTrail === true || p.IsMultiRegionTrail === 'true')) {
      hits.push({ path: ['IsMultiRegionTrail'], message: 'multi-region trail' });
    }
    if (resource.type === 'AWS::Config::ConfigurationAggregator') {
      for (const key of ['AccountAggregationSources', 'OrganizationAggregationSource']) {
        const sources = Array.isArray(p[key]) ? (p[key] as unknown[]) : p[key] === undefined ? [] : [p[key]];
        sources.forEach((s, i) => {
          if (!isRecord(s)) return;
          const base = Array.isArray(p[key]) ? [key, i] : [key];
          if (s.AllAwsRegions === true || s.AllAwsRegions === 'true') hits.push({ path: [...base, 'AllAwsRegions'], message: 'aggregates all AWS regions' });
          const regions = Array.isArray(s.AwsRegions) ? s.AwsRegions : [];
          regions.forEach((r, j) => {
            if (r !== ALLOWED_REGION)
              hits.push({ path: [...base, 'AwsRegions', j], message: `aggregates ${show(r)}`, ...(typeof r === 'string' ? { region: r } : {}) });
          });
        });
      }
    }
    return hits;
  },
};
