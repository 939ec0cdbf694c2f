import { isSameRegionImport, localReference, renderText, show } from '../intrinsics';
import { ALLOWED } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, select, type CfnTemplate } from '../template';

/**
 * True when a bucket reference names a bucket of this app: a `Ref`/`Fn::GetAtt` of an `AWS::S3::Bucket` in this
 * template, an `Fn::ImportValue` (an export of this app in the same region), or a literal name or ARN equal to
 * the `BucketName` of a bucket defined here. S3 ARNs carry no region, so nothing else can be shown to be in
 * eu-west-2.
 */
export function isBucketOfThisApp(value: unknown, template: CfnTemplate): boolean {
  const local = localReference(value, template);
  if (local) return template.Resources?.[local]?.Type === 'AWS::S3::Bucket';
  if (isSameRegionImport(value)) return true;
  const text = renderText(value, template);
  const name = text.replace(/^arn:[^:]*:s3:::/, '').split('/')[0] ?? '';
  const ref = /^«(?:Ref|GetAtt) ([A-Za-z0-9]+)(?:\.[A-Za-z]+)?»$/.exec(name)?.[1];
  const buckets = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
  if (ref) return buckets.some(([id]) => id === ref);
  return buckets.some(([, r]) => r.Properties?.BucketName === name);
}

const BUCKET_DESTINATIONS = [
  'ReplicationConfiguration.Rules.*.Destination.Bucket',
  'LoggingConfiguration.DestinationBucketName',
  'InventoryConfigurations.*.Destination.BucketArn',
  'AnalyticsConfigurations.*.StorageClassAnalysis.DataExport.Destination.BucketArn',
];

/**
 * S3 data stays in buckets of this app: replication, access logging, inventory and analytics exports go to a
 * bucket defined here, and Transfer Acceleration (edge uploads) is off.
 */
export const S3DataMovement: ResourceRule = {
  id: 'UkResidency-S3DataMovement',
  scope: 'resource',
  info: 'S3 replication, logging, inventory and analytics destinations must be buckets of this app; no Transfer Acceleration.',
  explanation:
    'Replication copies every object to the destination bucket, and access logs, inventories and analytics exports ' +
    'describe the objects; S3 ARNs carry no region, so only a bucket this app defines (and pins to ' +
    `${ALLOWED}) can be shown to be in the UK. Transfer Acceleration routes uploads through CloudFront edge locations.`,
  check(resource) {
    if (resource.type !== 'AWS::S3::Bucket') return [];
    const hits: RuleHit[] = [];
    for (const pattern of BUCKET_DESTINATIONS) {
      for (const { value, path } of select(resource.properties, pattern)) {
        if (!isBucketOfThisApp(value, resource.template)) {
          hits.push({
            path,
            message: `sends objects or records to a bucket not defined in this app (${show(renderText(value, resource.template))}); S3 ARNs carry no region`,
          });
        }
      }
    }
    const accelerate = resource.properties.AccelerateConfiguration;
    if (isRecord(accelerate) && accelerate.AccelerationStatus === 'Enabled') {
      hits.push({ path: ['AccelerateConfiguration', 'AccelerationStatus'], message: 'Transfer Acceleration routes uploads through CloudFront edge locations' });
    }
    return hits;
  },
};
