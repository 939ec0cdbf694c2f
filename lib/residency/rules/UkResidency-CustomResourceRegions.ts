import { isAllowedRegionValue, MARKER, renderText, show } from '../intrinsics';
import { ALLOWED, isAllowedRegion, isForeignRegion } from '../regions';
import type { ResourceRule, RuleHit } from '../rule';
import { isRecord, JSON_SEGMENT, type CfnTemplate, type ValuePath } from '../template';

function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/**
 * Every property whose name ends in `region` (any case: `Region`, `region`, `LogGroupRegion`, `TargetRegion`) at
 * any depth, including inside JSON-encoded strings.
 */
function regionProperties(root: unknown, template: CfnTemplate): { path: ValuePath; value: unknown }[] {
  const out: { path: ValuePath; value: unknown }[] = [];
  const walk = (value: unknown, path: ValuePath): void => {
    if (typeof value === 'string' || (isRecord(value) && ('Fn::Join' in value || 'Fn::Sub' in value))) {
      const text = renderText(value, template).trim();
      if (text.startsWith('{') || text.startsWith('[')) {
        try {
          walk(JSON.parse(text) as unknown, [...path, JSON_SEGMENT]);
        } catch {
          // Not JSON after all: a plain string has no properties.
        }
      }
      return;
    }
    if (Array.isArray(value)) for (const [i, v] of value.entries()) walk(v, [...path, i]);
    else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (/region$/i.test(k)) out.push({ path: [...path, k], value: v });
        walk(v, [...path, k]);
      }
    }
  };
  walk(root, []);
  return out;
}

/**
 * A custom resource acts in eu-west-2 only: any `region` (or `...Region`) in its properties, or in the JSON of an SDK call
 * (`AwsCustomResource` writes `{"service":...,"region":...}`), is eu-west-2 or `${AWS::Region}`. A region that is a
 * parameter or another intrinsic cannot be shown to stay in the UK and fails too.
 */
export const CustomResourceRegions: ResourceRule = {
  id: 'UkResidency-CustomResourceRegions',
  scope: 'resource',
  info: `Custom resources must not act in a region other than ${ALLOWED} (no "region" property or SDK call region elsewhere).`,
  explanation:
    'A custom resource runs arbitrary API calls; AwsCustomResource takes a "region" in its call, and any provider ' +
    `may read a Region property, to act in another region. That is a write or a read of data outside ${ALLOWED} ` +
    'that the template shows only in that one property.',
  check(resource) {
    if (!isCustomResource(resource.type)) return [];
    const hits: RuleHit[] = [];
    for (const { path, value } of regionProperties(resource.properties, resource.template)) {
      if (isAllowedRegionValue(value, resource.settings)) continue;
      const text = renderText(value, resource.template);
      if (isAllowedRegion(text, resource.settings) || text === MARKER.region) continue;
      hits.push({
        path,
        message: isForeignRegion(text, resource.settings)
          ? `custom resource acts in ${text}`
          : `custom resource region ${show(value)} cannot be shown to be ${ALLOWED}`,
        ...(isForeignRegion(text, resource.settings) ? { region: text } : {}),
      });
    }
    return hits;
  },
};
