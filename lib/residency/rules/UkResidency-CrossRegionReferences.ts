import { isAllowedRegionValue, show } from '../intrinsics';
import { ALLOWED, isForeignRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, type ValuePath } from '../template';

const PLUMBING: Readonly<Record<string, string>> = {
  'Custom::CrossRegionExportWriter': 'it writes values to SSM parameters in another region (crossRegionReferences)',
  'Custom::CrossRegionExportReader': 'it reads values from a stack in another region (crossRegionReferences)',
  'Custom::CrossRegionStringParameterReader': 'it reads a parameter from another region (the Lambda@Edge version of an EdgeFunction)',
};

function findGetStackOutput(value: unknown, path: ValuePath, out: { path: ValuePath; region: unknown }[]): void {
  if (Array.isArray(value)) for (const [i, v] of value.entries()) findGetStackOutput(v, [...path, i], out);
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Fn::GetStackOutput' && isRecord(v)) out.push({ path: [...path, k, 'Region'], region: v.Region });
      findGetStackOutput(v, [...path, k], out);
    }
  }
}

/**
 * No CDK cross-region plumbing: the custom resources behind `crossRegionReferences` and `EdgeFunction`, and
 * `Fn::GetStackOutput` reading a stack in another region. Their existence means part of the app lives elsewhere.
 */
export const CrossRegionReferences: ResourceRule = {
  id: 'UkResidency-CrossRegionReferences',
  scope: 'resource',
  info: `No cross-region references: no Custom::CrossRegion* resources and no Fn::GetStackOutput outside ${ALLOWED}.`,
  explanation:
    'CDK implements references between stacks in different regions with custom resources that copy values through ' +
    'SSM parameters in the other region, and with Fn::GetStackOutput; either means a stack of this app lives ' +
    `outside ${ALLOWED} and values of this one are written there.`,
  check(resource) {
    const hits: RuleHit[] = [];
    const reason = PLUMBING[resource.type];
    if (reason) hits.push({ path: [], message: `${resource.type} is not allowed: ${reason}` });
    const outputs: { path: ValuePath; region: unknown }[] = [];
    findGetStackOutput(resource.properties, [], outputs);
    for (const o of outputs) {
      if (o.region === undefined || isAllowedRegionValue(o.region, resource.settings)) continue;
      hits.push({
        path: o.path,
        message: `Fn::GetStackOutput from ${show(o.region)}`,
        ...(typeof o.region === 'string' && isForeignRegion(o.region, resource.settings) ? { region: o.region } : {}),
      });
    }
    return hits;
  },
};
