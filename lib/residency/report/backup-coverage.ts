/**
 * A data store no backup selection picks can only be recovered within its own retention, and selections often live
 * in another stack and pick by an import, an ARN pattern or a tag, so coverage is worked out over the whole assembly
 * rather than per template.
 */
import type { TemplateUnit } from '../assembly';
import { localReference, renderText } from '../intrinsics';
import { isRecord, select, type CfnResourceEntry } from '../template';
import { importKey, type Exports } from './references';

/** Types AWS Backup can protect (others hold no backup-able data or are covered by their own retention). */
const BACKUP_SERVICES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'dynamodb',
  'AWS::DynamoDB::GlobalTable': 'dynamodb',
  'AWS::S3::Bucket': 's3',
};

/** Tags of a resource (a global table keeps them per replica). */
function tagsOf(r: CfnResourceEntry): Record<string, unknown>[] {
  return [...select(r.Properties, 'Tags.*'), ...select(r.Properties, 'Replicas.*.Tags.*')].map((t) => t.value).filter(isRecord);
}

/** Tag conditions of a backup selection, from `ListOfTags` and `Conditions.StringEquals`. */
function selectionTags(selection: Record<string, unknown>): { key: unknown; value: unknown }[] {
  return [
    ...select(selection, 'ListOfTags.*')
      .map((t) => t.value)
      .filter(isRecord)
      .map((t) => ({ key: t.ConditionKey, value: t.ConditionValue })),
    ...select(selection, 'Conditions.StringEquals.*')
      .map((t) => t.value)
      .filter(isRecord)
      .map((t) => ({ key: typeof t.ConditionKey === 'string' ? t.ConditionKey.replace(/^aws:ResourceTag\//, '') : t.ConditionKey, value: t.ConditionValue })),
  ];
}

/** What the data map's backup column says of resource `id` of `unit`. */
export interface BackupCoverage {
  covers(unit: TemplateUnit, id: string, r: CfnResourceEntry): string;
}

/**
 * Which backup selections of the assembly pick a resource: by reference (in its own template, or through an
 * export when the selection is in another stack), by a wildcard ARN for its service, or by tag.
 */
export function backupSelections(templates: readonly TemplateUnit[], exports: Exports): BackupCoverage {
  const selections = templates.flatMap((unit) =>
    Object.entries(unit.template.Resources ?? {})
      .filter(([, r]) => r.Type === 'AWS::Backup::BackupSelection')
      .map(([selId, r]) => ({ unit, selId, selection: isRecord(r.Properties?.BackupSelection) ? r.Properties.BackupSelection : {} })),
  );
  return {
    covers(unit, id, r) {
      const service = BACKUP_SERVICES[r.Type];
      if (!service) return 'not applicable';
      const wildcard = new RegExp(`^arn:[^:]*:${service}:[^:]*:[^:]*:(table/)?\\*$`);
      const by: string[] = [];
      for (const { unit: selUnit, selId, selection } of selections) {
        const resources = Array.isArray(selection.Resources) ? selection.Resources : [];
        const picked = resources.some((value) => {
          if (selUnit === unit && localReference(value, unit.template) === id) return true;
          const key = importKey(value, selUnit.template);
          if (key !== undefined) {
            const source = exports.get(key);
            if (source?.file === unit.file && source.logicalId === id) return true;
          }
          const text = renderText(value, selUnit.template);
          if (selUnit === unit && new RegExp(`«(Ref|GetAtt) ${id}[.»]`).test(text)) return true;
          return text === '*' || wildcard.test(text);
        });
        const tags = selectionTags(selection);
        const byTag = tags.some((t) => tagsOf(r).some((rt) => rt.Key === t.key && rt.Value === t.value));
        if (picked || byTag) by.push(`${selId} (${selUnit.file})`);
      }
      return by.length > 0 ? `selected by ${by.join(', ')}` : 'NOT selected by any backup selection';
    },
  };
}
