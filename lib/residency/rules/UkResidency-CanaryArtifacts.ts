import { renderText, show } from '../intrinsics';
import { ALLOWED, findRegionNames, foreignRegionNames } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, type CfnTemplate, type ResourceView, type ValuePath } from '../template';

/** Property names that copy or move data to another region, whatever the service calls them. */
const CROSS_REGION_KEY = /replica|replicat|cross.?region|destinationregion|secondaryregion/i;

/**
 * Where an `s3://bucket/prefix` location is: a bucket of this template or an import of this region (`own`), a bucket
 * whose name says it is in an allowed region and no other (`named-in-region`: Synthetics' own default bucket is
 * `cw-syn-results-<account>-<region>`), or anything else (`unknown`, with the foreign region its name names, if any).
 */
function bucketOf(text: string, template: CfnTemplate, settings: ResourceView['settings']): { kind: 'own' | 'named-in-region' | 'unknown'; region?: string } {
  const bucket = /^s3:\/\/([^/]+)/i.exec(text)?.[1];
  if (bucket === undefined) return { kind: 'unknown' };
  if (isOwnBucket(bucket, template)) return { kind: 'own' };
  const foreign = foreignRegionNames(bucket, settings)[0]?.region;
  if (foreign) return { kind: 'unknown', region: foreign };
  // Pseudo parameters (account, region) may fill the name in; a reference or parameter may not.
  const named = (findRegionNames(bucket).length > 0 || bucket.includes('«Region»')) && !/«(Ref|GetAtt|Import|Output|Part|\?)/.test(bucket);
  return named ? { kind: 'named-in-region' } : { kind: 'unknown' };
}

/** True when a bucket (as rendered) is a bucket of this template or an import of this region. */
function isOwnBucket(bucket: string, template: CfnTemplate): boolean {
  if (bucket === '«Import»') return true;
  const buckets = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
  const ref = /^«(?:Ref|GetAtt) ([A-Za-z0-9]+)(?:\.[A-Za-z]+)?»$/.exec(bucket)?.[1];
  if (ref) return buckets.some(([id]) => id === ref);
  return buckets.some(([, r]) => r.Properties?.BucketName === bucket);
}

function crossRegionKeys(value: unknown, path: ValuePath, out: ValuePath[]): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) crossRegionKeys(v, [...path, i], out);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (CROSS_REGION_KEY.test(k)) out.push([...path, k]);
      else crossRegionKeys(v, [...path, k], out);
    }
  }
}

/**
 * A CloudWatch Synthetics canary keeps its artifacts (screenshots, HAR files, logs of every request it made, which
 * hold what the pages it visits showed) in a bucket of this app, and nothing of it is replicated or sent to another
 * region. S3 bucket names carry no region, so a bucket not defined here cannot be shown to be in the allowed region.
 */
export const CanaryArtifacts: ResourceRule = {
  id: 'UkResidency-CanaryArtifacts',
  scope: 'resource',
  info: `Synthetics canaries must keep their artifacts in a bucket of this app (or Synthetics' own bucket for ${ALLOWED}) and have no replica or cross-region setting.`,
  explanation:
    'A canary writes screenshots, HAR files and logs of each run (the pages and responses it saw) to ArtifactS3Location. ' +
    'A bucket this template does not define may be in any region (bucket names carry no region), and a replica or ' +
    `cross-region setting copies the artifacts out of ${ALLOWED}.`,
  check(resource) {
    if (resource.type !== 'AWS::Synthetics::Canary') return [];
    const hits: RuleHit[] = [];
    const location = resource.properties.ArtifactS3Location;
    const text = renderText(location, resource.template);
    if (location === undefined)
      hits.push({ path: ['ArtifactS3Location'], message: 'no ArtifactS3Location: the artifacts bucket cannot be shown to be of this app' });
    else {
      const where = bucketOf(text, resource.template, resource.settings);
      if (where.region)
        hits.push({ path: ['ArtifactS3Location'], region: where.region, message: `artifacts go to ${show(text)}, a bucket in ${where.region}` });
      else if (where.kind === 'unknown') {
        hits.push({
          path: ['ArtifactS3Location'],
          message: `artifacts go to ${show(text)}, not a bucket of this app; its name shows no region, and S3 bucket names carry none`,
        });
      }
    }
    const keys: ValuePath[] = [];
    crossRegionKeys(resource.properties, [], keys);
    for (const path of keys) hits.push({ path, message: `cross-region setting ${String(path[path.length - 1])} copies canary data to another region` });
    return hits;
  },
};
