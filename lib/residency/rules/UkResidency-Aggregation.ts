import { show } from '../intrinsics';
import { ALLOWED, isAllowedRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord } from '../template';

const TRUE = (v: unknown) => v === true || v === 'true';

/**
 * No multi-region or organisation-wide aggregation of audit records: a multi-region or organisation trail, a
 * CloudTrail Lake event data store over all regions (its default) or the organisation, an AWS Config aggregator over
 * other regions, or a Security Hub cross-region finding aggregator gathers records across regions into one place.
 */
export const Aggregation: ResourceRule = {
  id: 'UkResidency-Aggregation',
  scope: 'resource',
  info: 'No multi-region or organisation CloudTrail trails, no multi-region or organisation event data stores, no AWS Config aggregators over other regions, no Security Hub finding aggregators.',
  explanation:
    'A multi-region trail records API activity (which includes resource names and request parameters) from every ' +
    'region into one bucket; a Config aggregator over all regions copies configuration records across regions. ' +
    `All move records across the ${ALLOWED} boundary; organisation-wide aggregation belongs to the landing zone. A CloudTrail ` +
    'Lake event data store collects events from all Regions unless MultiRegionEnabled is false (AWS Config rule ' +
    'cloudtrail-event-data-store-multi-region: https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-event-data-store-multi-region.html), ' +
    'and a Security Hub finding aggregator replicates findings (with resource details) from linked Regions into one.',
  check(resource) {
    const hits: RuleHit[] = [];
    const p = resource.properties;
    if (resource.type === 'AWS::CloudTrail::Trail' && TRUE(p.IsMultiRegionTrail)) hits.push({ path: ['IsMultiRegionTrail'], message: 'multi-region trail' });
    if (resource.type === 'AWS::CloudTrail::Trail' && TRUE(p.IsOrganizationTrail)) {
      hits.push({ path: ['IsOrganizationTrail'], message: 'organisation trail (records of every account of the organisation, in every region it covers)' });
    }
    if (resource.type === 'AWS::CloudTrail::EventDataStore') {
      if (p.MultiRegionEnabled === undefined)
        hits.push({ path: ['MultiRegionEnabled'], message: 'event data store without MultiRegionEnabled: false collects events from all regions' });
      else if (!(p.MultiRegionEnabled === false || p.MultiRegionEnabled === 'false'))
        hits.push({ path: ['MultiRegionEnabled'], message: 'multi-region event data store' });
      if (TRUE(p.OrganizationEnabled)) hits.push({ path: ['OrganizationEnabled'], message: 'organisation event data store' });
    }
    if (resource.type === 'AWS::SecurityHub::FindingAggregator' || resource.type === 'AWS::SecurityHub::AggregatorV2') {
      hits.push({ path: [], message: `${resource.type} is not allowed: it replicates findings across regions` });
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
            if (typeof r !== 'string' || !isAllowedRegion(r, resource.settings))
              hits.push({ path: [...base, 'AwsRegions', j], message: `aggregates ${show(r)}`, ...(typeof r === 'string' ? { region: r } : {}) });
          });
        });
      }
    }
    return hits;
  },
};
