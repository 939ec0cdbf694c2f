import { findArns, regionOfDestination, renderText, show } from '../intrinsics';
import { ALLOWED, foreignRegionNames, isAllowedRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, select, type ValuePath } from '../template';
import { isBucketOfThisApp } from './UkResidency-S3DataMovement';

/**
 * AWS Backup restore testing restores recovery points (the sessions table, with NHS login subjects) into temporary
 * resources: the vaults it picks from, the resources it restores and where its restore metadata puts them (another
 * bucket, a key, a region) must all be in the allowed region.
 */
export const RestoreTesting: ResourceRule = {
  id: 'UkResidency-RestoreTesting',
  scope: 'resource',
  info: `Restore testing plans and selections must pick vaults and resources in ${ALLOWED} and restore into ${ALLOWED} only (restore metadata overrides included).`,
  explanation:
    'A restore test creates a full copy of the protected data from a recovery point. A vault or protected resource in ' +
    'another region, or restore metadata that names another region, a key elsewhere or a bucket this template does ' +
    `not define (bucket names carry no region), restores that copy outside ${ALLOWED}.`,
  check(resource) {
    const hits: RuleHit[] = [];
    const arnTargets = (pattern: string, what: string) => {
      for (const { value, path } of select(resource.properties, pattern)) {
        if (value === '*') continue; // every vault or resource of this account in the plan's own region
        const verdict = regionOfDestination(value, resource.template, resource.settings);
        if (verdict.kind === 'foreign') hits.push({ path, region: verdict.region, message: `${what} in ${verdict.region}` });
        else if (verdict.kind === 'unproven') hits.push({ path, message: `${what} not shown to be in ${ALLOWED}: ${verdict.how}` });
      }
    };
    if (resource.type === 'AWS::Backup::RestoreTestingPlan') {
      arnTargets('RecoveryPointSelection.IncludeVaults.*', 'restore test picks recovery points from a vault');
    }
    if (resource.type !== 'AWS::Backup::RestoreTestingSelection') return hits;
    arnTargets('ProtectedResourceArns.*', 'restore test protects a resource');
    const overrides = resource.properties.RestoreMetadataOverrides;
    if (!isRecord(overrides)) return hits;
    for (const [key, value] of Object.entries(overrides)) {
      const path: ValuePath = ['RestoreMetadataOverrides', key];
      const text = renderText(value, resource.template);
      if (/region/i.test(key)) {
        if (!isAllowedRegion(text, resource.settings) && text !== '«Region»') {
          hits.push({
            path,
            message: `restore metadata ${key} is ${show(text)}, not ${ALLOWED}`,
            ...(foreignRegionNames(text, resource.settings)[0] ? { region: text } : {}),
          });
        }
        continue;
      }
      if (/bucket/i.test(key) && !isBucketOfThisApp(value, resource.template)) {
        hits.push({ path, message: `restores into a bucket not defined in this app (${show(text)}); bucket names carry no region` });
        continue;
      }
      if (findArns(text).length > 0) {
        const verdict = regionOfDestination(value, resource.template, resource.settings);
        if (verdict.kind === 'foreign') hits.push({ path, region: verdict.region, message: `restore metadata ${key} names a resource in ${verdict.region}` });
        else if (verdict.kind === 'unproven') hits.push({ path, message: `restore metadata ${key} not shown to be in ${ALLOWED}: ${verdict.how}` });
        continue;
      }
      const [foreign] = foreignRegionNames(text, resource.settings);
      if (foreign) hits.push({ path, region: foreign.region, message: `restore metadata ${key} names ${foreign.region}` });
    }
    return hits;
  },
};
