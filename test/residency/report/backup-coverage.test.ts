/**
 * Backup coverage over the whole assembly: a data store counts as backed up only when some selection really picks
 * it, by reference (directly or through an export), by a wildcard ARN of its own service, or by one of its tags.
 */
import type { TemplateUnit } from '../../../lib/residency/assembly';
import { backupSelections } from '../../../lib/residency/report/backup-coverage';
import type { Exports } from '../../../lib/residency/report/references';
import type { CfnResourceEntry } from '../../../lib/residency/template';

const selection = (BackupSelection: Record<string, unknown>): CfnResourceEntry => ({
  Type: 'AWS::Backup::BackupSelection',
  Properties: { BackupPlanId: 'plan', BackupSelection },
});
const table = (Properties: Record<string, unknown> = {}): CfnResourceEntry => ({ Type: 'AWS::DynamoDB::Table', Properties });
const unit = (file: string, Resources: Record<string, CfnResourceEntry>): TemplateUnit => ({ file, template: { Resources }, env: { region: 'eu-west-2' } });

const data = unit('Data.template.json', {
  Sessions: table(),
  Audit: table({ Tags: [{ Key: 'backup', Value: 'daily' }] }),
  Events: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { Replicas: [{ Region: 'eu-west-2', Tags: [{ Key: 'tier', Value: 'gold' }] }] } },
  Uploads: { Type: 'AWS::S3::Bucket' },
  Logs: { Type: 'AWS::Logs::LogGroup' },
  Local: table(),
  LocalSelection: selection({ Resources: [{ 'Fn::GetAtt': ['Local', 'Arn'] }] }),
});
const backupResources: Record<string, CfnResourceEntry> = {
  Local: table(),
  ByImport: selection({ Resources: [{ 'Fn::ImportValue': 'Data:SessionsArn' }] }),
  ByRefHere: selection({ Resources: [{ Ref: 'Local' }] }),
  ByTag: selection({ ListOfTags: [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'backup', ConditionValue: 'daily' }] }),
  ByCondition: selection({ Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/tier', ConditionValue: 'gold' }] } }),
};
const backups = unit('Backups.template.json', backupResources);
const everything = unit('Everything.template.json', { AllTables: selection({ Resources: ['arn:aws:dynamodb:eu-west-2:123456789012:table/*'] }) });
const exports: Exports = new Map([['Data:SessionsArn', { logicalId: 'Sessions', stack: 'Data', file: 'Data.template.json' }]]);

/** What the report says of resource `id` of `at`, with or without a stack whose selection picks every table. */
const coverage = (tables: 'with wildcard' | 'without wildcard', at: TemplateUnit, id: string): string => {
  const units = tables === 'with wildcard' ? [data, backups, everything] : [data, backups];
  const resource = at.template.Resources?.[id];
  if (!resource) throw new Error(`no ${id} in ${at.file}`);
  return backupSelections(units, exports).covers(at, id, resource);
};

test.each<[string, 'with wildcard' | 'without wildcard', TemplateUnit, string, string]>([
  ['types AWS Backup cannot protect are not applicable', 'with wildcard', data, 'Logs', 'not applicable'],
  ['a selection in another stack picks a resource through its export', 'without wildcard', data, 'Sessions', 'selected by ByImport (Backups.template.json)'],
  ['a reference picks the resource of its own template…', 'without wildcard', data, 'Local', 'selected by LocalSelection (Data.template.json)'],
  ['…and not a namesake in another template', 'without wildcard', backups, 'Local', 'selected by ByRefHere (Backups.template.json)'],
  ['a tag in ListOfTags picks a resource', 'without wildcard', data, 'Audit', 'selected by ByTag (Backups.template.json)'],
  ['a tag in Conditions picks a resource (global tables: a replica’s)', 'without wildcard', data, 'Events', 'selected by ByCondition (Backups.template.json)'],
  [
    'a wildcard ARN picks every resource of its service',
    'with wildcard',
    data,
    'Sessions',
    'selected by ByImport (Backups.template.json), AllTables (Everything.template.json)',
  ],
  ['a wildcard ARN picks nothing of another service', 'with wildcard', data, 'Uploads', 'NOT selected by any backup selection'],
  ['a resource no selection picks is called out', 'without wildcard', data, 'Uploads', 'NOT selected by any backup selection'],
])('%s', (_what, tables, at, id, expected) => {
  expect(coverage(tables, at, id)).toBe(expected);
});
