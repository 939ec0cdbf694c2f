import { findArns, openDocuments, regionOfDestination, renderText, show } from '../intrinsics';
import { ALLOWED, foreignRegionNames } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, JSON_SEGMENT, select, type ValuePath } from '../template';
import { isBucketOfThisApp } from './UkResidency-S3DataMovement';

/** Types whose `DataProtectionPolicy` can send audit findings somewhere. */
const TYPES = ['AWS::Logs::LogGroup', 'AWS::SNS::Topic'];

/**
 * A data protection policy's audit findings (which describe, and may quote the location of, the personal data found)
 * go to a log group or delivery stream of this region or a bucket of this app. Log group and delivery stream names
 * are resolved in the policy's own region; a bucket name carries no region.
 */
export const DataProtectionFindings: ResourceRule = {
  id: 'UkResidency-DataProtectionFindings',
  scope: 'resource',
  info: `Data protection policy audit findings must go to a log group or Firehose stream in ${ALLOWED} or a bucket of this app.`,
  explanation:
    'The audit operation of a CloudWatch Logs or SNS data protection policy reports every match of a data identifier ' +
    'to its FindingsDestination. A bucket this template does not define may be in any region, and a destination ' +
    `named by an ARN or output of another region sends the findings out of ${ALLOWED}.`,
  check(resource) {
    if (!TYPES.includes(resource.type) || resource.properties.DataProtectionPolicy === undefined) return [];
    const raw = resource.properties.DataProtectionPolicy;
    const policy = openDocuments(raw, resource.template);
    const base: ValuePath =
      isRecord(raw) && !Object.keys(raw).some((k) => k.startsWith('Fn::')) ? ['DataProtectionPolicy'] : ['DataProtectionPolicy', JSON_SEGMENT];
    const hits: RuleHit[] = [];
    for (const { value, path } of select(policy, 'Statement.*.Operation.Audit.FindingsDestination')) {
      if (!isRecord(value)) continue;
      const at = [...base, ...path];
      const bucket = isRecord(value.S3) ? value.S3.Bucket : undefined;
      if (bucket !== undefined && !isBucketOfThisApp(bucket, resource.template)) {
        hits.push({
          path: [...at, 'S3', 'Bucket'],
          message: `audit findings go to a bucket not defined in this app (${show(renderText(bucket, resource.template))}); bucket names carry no region`,
        });
      }
      for (const [service, key] of [
        ['CloudWatchLogs', 'LogGroup'],
        ['Firehose', 'DeliveryStream'],
      ] as const) {
        const target = isRecord(value[service]) ? (value[service] as Record<string, unknown>)[key] : undefined;
        if (target === undefined) continue;
        const text = renderText(target, resource.template);
        const where = [...at, service, key];
        if (findArns(text).length > 0 || (isRecord(target) && 'Fn::GetStackOutput' in target)) {
          const verdict = regionOfDestination(target, resource.template, resource.settings);
          if (verdict.kind === 'foreign') hits.push({ path: where, region: verdict.region, message: `audit findings go to ${service} in ${verdict.region}` });
          else if (verdict.kind === 'unproven') hits.push({ path: where, message: `audit findings destination not shown to be in ${ALLOWED}: ${verdict.how}` });
          continue;
        }
        const [foreign] = foreignRegionNames(text, resource.settings);
        if (foreign) hits.push({ path: where, region: foreign.region, message: `audit findings go to ${service} ${show(text)}, naming ${foreign.region}` });
      }
    }
    return hits;
  },
};
