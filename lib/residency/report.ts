import * as fs from 'node:fs';
import * as path from 'node:path';
import { readResidencyInput, type ResidencyInput, type TemplateUnit } from './assembly';
import { DATA_MAP_METADATA_KEY } from './data-map-metadata';
import { formatFinding, type ResidencyFinding } from './engine';
import { localReference, readable, renderText } from './intrinsics';
import { ALLOWED_REGION } from './regions';
import { ALL_RULES } from './rules';
import { scanInput } from './scanner';
import { isRecord, select, type CfnResourceEntry, type CfnTemplate } from './template';

/** File names the report is written to, in the assembly directory. */
export const REPORT_FILES = { markdown: 'residency-report.md', json: 'residency-report.json' } as const;

/** Environment variable that holds the NHS login issuer in every function (lambda/settings.ts). */
const ISSUER_VARIABLE = 'NHS_LOGIN_ISSUER';

/** Resource types that hold or carry data, with a reviewer's name for each. */
export const DATA_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'DynamoDB table',
  'AWS::DynamoDB::GlobalTable': 'DynamoDB table',
  'AWS::Logs::LogGroup': 'CloudWatch log group',
  'AWS::Backup::BackupVault': 'Backup vault',
  'AWS::KMS::Key': 'KMS key',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::WAFv2::LoggingConfiguration': 'WAF logging',
  'AWS::ApiGateway::Stage': 'API stage (access logs)',
  'AWS::ApiGatewayV2::Stage': 'API stage (access logs)',
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::SQS::Queue': 'SQS queue',
  'AWS::SecretsManager::Secret': 'Secret',
  'AWS::Kinesis::Stream': 'Kinesis stream',
  'AWS::KinesisFirehose::DeliveryStream': 'Firehose delivery stream',
};

/** Types AWS Backup can protect (others hold no backup-able data or are covered by their own retention). */
const BACKUP_SERVICES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'dynamodb',
  'AWS::DynamoDB::GlobalTable': 'dynamodb',
  'AWS::S3::Bucket': 's3',
};

/** One stack of the report. */
export interface ReportStack {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly template: string;
}

/** One row of the data map. */
export interface DataMapEntry {
  readonly what: string;
  readonly type: string;
  readonly logicalId: string;
  readonly stack: string;
  readonly template: string;
  readonly region: string;
  readonly encryptionKey: string;
  readonly retention: string;
  readonly backup: string;
  readonly purpose: string;
  readonly personalData: string;
}

/** One egress of the service. */
export interface EgressEntry {
  readonly url: string;
  readonly host: string;
  readonly functions: readonly string[];
}

/** The residency report: what reviewers read instead of the templates. */
export interface ResidencyReport {
  readonly allowedRegion: string;
  readonly stacks: readonly ReportStack[];
  readonly dataMap: readonly DataMapEntry[];
  readonly egress: readonly EgressEntry[];
  readonly rules: readonly { readonly id: string; readonly info: string }[];
  readonly findings: readonly ResidencyFinding[];
  readonly passed: boolean;
}

/**
 * Where each value other stacks can read comes from: export name, or `<stack name>/<output name>` for
 * `Fn::GetStackOutput`, -> the resource and template behind it.
 */
type Exports = ReadonlyMap<string, { readonly logicalId: string; readonly stack: string; readonly file: string }>;

function collectExports(input: ResidencyInput, stackName: (unit: TemplateUnit) => string): Exports {
  const out = new Map<string, { logicalId: string; stack: string; file: string }>();
  for (const unit of input.templates) {
    const cfnName = input.stacks.find((s) => s.id === unit.stackId && !unit.nestedIn)?.stackName;
    for (const [outputName, output] of Object.entries(unit.template.Outputs ?? {})) {
      if (!isRecord(output)) continue;
      const source = localReference(output.Value, unit.template);
      if (!source) continue;
      const entry = { logicalId: source, stack: stackName(unit), file: unit.file };
      if (isRecord(output.Export)) out.set(renderText(output.Export.Name, unit.template), entry);
      if (cfnName) out.set(`${cfnName}/${outputName}`, entry);
    }
  }
  return out;
}

/** The key under which `collectExports` files the value an `Fn::ImportValue` or `Fn::GetStackOutput` reads. */
function importKey(value: unknown, template: CfnTemplate): string | undefined {
  if (!isRecord(value)) return undefined;
  if ('Fn::ImportValue' in value) return renderText(value['Fn::ImportValue'], template);
  const output = value['Fn::GetStackOutput'];
  if (isRecord(output)) return `${renderText(output.StackName, template)}/${renderText(output.OutputName, template)}`;
  return undefined;
}

/** Names what a reference points at: a resource of this stack, an export of another stack, or the literal. */
function describeTarget(value: unknown, template: CfnTemplate, exports: Exports): string {
  const local = localReference(value, template);
  if (local) return local;
  const key = importKey(value, template);
  if (key !== undefined) {
    const source = exports.get(key);
    return source ? `${source.logicalId} in ${source.stack}` : `imported ${key}`;
  }
  const text = renderText(value, template);
  const ref = /«(?:Ref|GetAtt) ([A-Za-z0-9]+)[.»]/.exec(text)?.[1];
  return ref && template.Resources?.[ref] ? ref : readable(text);
}

function describeKey(value: unknown, template: CfnTemplate, exports: Exports): string {
  if (value === undefined) return 'AWS owned key (default encryption)';
  const local = localReference(value, template);
  if (local) return `${local} (customer managed key, this stack)`;
  if (importKey(value, template) !== undefined) return `${describeTarget(value, template, exports)} (customer managed key)`;
  return describeTarget(value, template, exports);
}

function encryptionOf(r: CfnResourceEntry, template: CfnTemplate, exports: Exports): string {
  const p = r.Properties ?? {};
  switch (r.Type) {
    case 'AWS::DynamoDB::Table': {
      const sse = isRecord(p.SSESpecification) ? p.SSESpecification : {};
      return sse.SSEEnabled === true || sse.SSEEnabled === 'true' ? describeKey(sse.KMSMasterKeyId ?? 'aws/dynamodb (AWS managed key)', template, exports) : 'AWS owned key (default encryption)';
    }
    case 'AWS::DynamoDB::GlobalTable': {
      const keys = select(p, 'Replicas.*.SSESpecification.KMSMasterKeyId').map((k) => describeKey(k.value, template, exports));
      const sse = isRecord(p.SSESpecification) ? p.SSESpecification : {};
      if (keys.length > 0) return keys.join('; ');
      return sse.SSEEnabled === true ? 'aws/dynamodb (AWS managed key)' : 'AWS owned key (default encryption)';
    }
    case 'AWS::Logs::LogGroup':
      return describeKey(p.KmsKeyId, template, exports);
    case 'AWS::Backup::BackupVault':
      return describeKey(p.EncryptionKeyArn, template, exports);
    case 'AWS::SNS::Topic':
    case 'AWS::SQS::Queue':
      return p.KmsMasterKeyId === undefined && p.SqsManagedSseEnabled !== false ? (r.Type === 'AWS::SQS::Queue' ? 'SQS managed SSE' : 'none (not encrypted at rest with KMS)') : describeKey(p.KmsMasterKeyId, template, exports);
    case 'AWS::SecretsManager::Secret':
      return describeKey(p.KmsKeyId ?? 'aws/secretsmanager (AWS managed key)', template, exports);
    case 'AWS::S3::Bucket': {
      const [rule] = select(p, 'BucketEncryption.ServerSideEncryptionConfiguration.*.ServerSideEncryptionByDefault');
      if (!rule || !isRecord(rule.value)) return 'SSE-S3 (default)';
      return rule.value.KMSMasterKeyID !== undefined ? describeKey(rule.value.KMSMasterKeyID, template, exports) : String(rule.value.SSEAlgorithm);
    }
    case 'AWS::KMS::Key':
      return `is a key: ${String(p.KeySpec ?? 'SYMMETRIC_DEFAULT')}, ${String(p.KeyUsage ?? 'ENCRYPT_DECRYPT')}`;
    case 'AWS::Kinesis::Stream':
      return isRecord(p.StreamEncryption) ? describeKey(p.StreamEncryption.KeyId, template, exports) : 'none';
    case 'AWS::WAFv2::LoggingConfiguration':
      return `that of its destination: ${select(p, 'LogDestinationConfigs.*').map((d) => describeTarget(d.value, template, exports)).join(', ')}`;
    case 'AWS::ApiGateway::Stage':
    case 'AWS::ApiGatewayV2::Stage': {
      const dest = select(p, r.Type === 'AWS::ApiGateway::Stage' ? 'AccessLogSetting.DestinationArn' : 'AccessLogSettings.DestinationArn')[0];
      return dest ? `that of its access log group: ${describeTarget(dest.value, template, exports)}` : 'no access logs';
    }
    default:
      return 'not applicable';
  }
}

function retentionOf(logicalId: string, r: CfnResourceEntry, template: CfnTemplate): string {
  const p = r.Properties ?? {};
  const parts: string[] = [];
  switch (r.Type) {
    case 'AWS::Logs::LogGroup':
      return p.RetentionInDays !== undefined ? `${String(p.RetentionInDays)} days` : 'never expires (no RetentionInDays)';
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const ttl = isRecord(p.TimeToLiveSpecification) ? p.TimeToLiveSpecification : undefined;
      parts.push(ttl && ttl.Enabled !== false ? `TTL on attribute "${String(ttl.AttributeName)}"` : 'no TTL');
      const pitr = [...select(p, 'PointInTimeRecoverySpecification'), ...select(p, 'Replicas.*.PointInTimeRecoverySpecification')][0];
      if (pitr && isRecord(pitr.value) && pitr.value.PointInTimeRecoveryEnabled === true) {
        parts.push(`point-in-time recovery ${pitr.value.RecoveryPeriodInDays !== undefined ? `${String(pitr.value.RecoveryPeriodInDays)} days` : '35 days'}`);
      }
      return parts.join('; ');
    }
    case 'AWS::Backup::BackupVault': {
      const days = Object.values(template.Resources ?? {})
        .filter((plan) => plan.Type === 'AWS::Backup::BackupPlan')
        .flatMap((plan) => select(plan.Properties, 'BackupPlan.BackupPlanRule.*'))
        .filter((rule) => isRecord(rule.value) && localReference(rule.value.TargetBackupVault, template) === logicalId)
        .map((rule) => select(rule.value, 'Lifecycle.DeleteAfterDays')[0]?.value);
      return days.length > 0 ? `recovery points kept ${days.map((d) => (d === undefined ? 'forever' : `${String(d)} days`)).join(', ')}` : 'no backup plan rule targets it';
    }
    case 'AWS::KMS::Key': {
      const rotation = p.EnableKeyRotation === true ? `rotation every ${String(p.RotationPeriodInDays ?? 365)} days` : 'no automatic rotation';
      return `${rotation}; deletion window ${String(p.PendingWindowInDays ?? 30)} days`;
    }
    case 'AWS::SQS::Queue':
      return `messages kept ${String(p.MessageRetentionPeriod ?? 345600)} seconds`;
    case 'AWS::SNS::Topic':
      return 'messages are delivered, not stored';
    case 'AWS::S3::Bucket': {
      const days = select(p, 'LifecycleConfiguration.Rules.*.ExpirationInDays').map((d) => String(d.value));
      return days.length > 0 ? `objects expire after ${days.join(', ')} days` : 'objects kept until deleted';
    }
    default:
      return 'not applicable';
  }
}

/** Tags of a resource (a global table keeps them per replica). */
function tagsOf(r: CfnResourceEntry): Record<string, unknown>[] {
  return [...select(r.Properties, 'Tags.*'), ...select(r.Properties, 'Replicas.*.Tags.*')].map((t) => t.value).filter(isRecord);
}

/** Tag conditions of a backup selection, from `ListOfTags` and `Conditions.StringEquals`. */
function selectionTags(selection: Record<string, unknown>): { key: unknown; value: unknown }[] {
  return [
    ...select(selection, 'ListOfTags.*').map((t) => t.value).filter(isRecord).map((t) => ({ key: t.ConditionKey, value: t.ConditionValue })),
    ...select(selection, 'Conditions.StringEquals.*')
      .map((t) => t.value)
      .filter(isRecord)
      .map((t) => ({ key: typeof t.ConditionKey === 'string' ? t.ConditionKey.replace(/^aws:ResourceTag\//, '') : t.ConditionKey, value: t.ConditionValue })),
  ];
}

/**
 * Which backup selections of the assembly pick a resource: by reference (in its own template, or through an
 * export when the selection is in another stack), by a wildcard ARN for its service, or by tag.
 */
function backupSelections(templates: readonly TemplateUnit[], exports: Exports): { covers(unit: TemplateUnit, id: string, r: CfnResourceEntry): string } {
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

/** Builds the report from what `readResidencyInput` read. Pure. */
export function buildResidencyReport(input: ResidencyInput): ResidencyReport {
  const scan = scanInput(input);
  const stackName = (unit: TemplateUnit) => input.stacks.find((s) => s.id === unit.stackId)?.displayName ?? unit.file;
  const stacks: ReportStack[] = input.stacks.map((s) => ({
    stack: s.displayName,
    account: s.env.account ?? 'unknown (environment-agnostic)',
    region: s.env.region ?? 'unknown (environment-agnostic)',
    template: s.templateFile,
  }));
  const exports = collectExports(input, stackName);
  const backup = backupSelections(input.templates, exports);
  const dataMap: DataMapEntry[] = [];
  const egress = new Map<string, { url: string; host: string; functions: string[] }>();
  for (const unit of input.templates) {
    for (const [logicalId, r] of Object.entries(unit.template.Resources ?? {})) {
      const declared = isRecord(r.Metadata?.[DATA_MAP_METADATA_KEY]) ? (r.Metadata[DATA_MAP_METADATA_KEY] as Record<string, unknown>) : undefined;
      if (r.Type === 'AWS::Lambda::Function') {
        const issuer = select(r.Properties, `Environment.Variables.${ISSUER_VARIABLE}`)[0]?.value;
        if (issuer !== undefined) {
          const url = renderText(issuer, unit.template);
          let host = url;
          try {
            host = new URL(url).host;
          } catch {
            // Left as written: the report shows what the template says.
          }
          const entry = egress.get(url) ?? { url, host, functions: [] };
          entry.functions.push(`${logicalId} (${stackName(unit)})`);
          egress.set(url, entry);
        }
      }
      if (!DATA_RESOURCE_TYPES[r.Type] && !declared) continue;
      dataMap.push({
        what: DATA_RESOURCE_TYPES[r.Type] ?? r.Type,
        type: r.Type,
        logicalId,
        stack: stackName(unit),
        template: unit.file,
        region: unit.env.region ?? 'unknown (environment-agnostic)',
        encryptionKey: encryptionOf(r, unit.template, exports),
        retention: retentionOf(logicalId, r, unit.template),
        backup: backup.covers(unit, logicalId, r),
        purpose: typeof declared?.purpose === 'string' ? declared.purpose : 'undeclared',
        personalData: typeof declared?.personalData === 'string' ? declared.personalData : 'undeclared',
      });
    }
  }
  return {
    allowedRegion: ALLOWED_REGION,
    stacks,
    dataMap,
    egress: [...egress.values()],
    rules: ALL_RULES.map((r) => ({ id: r.id, info: r.info })),
    findings: scan.findings,
    passed: scan.findings.length === 0,
  };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Renders the report as Markdown for reviewers. Pure. */
export function renderResidencyReport(report: ResidencyReport): string {
  const lines: string[] = [];
  lines.push('# UK residency report', '');
  lines.push(
    `Every resource of this service must exist, and every piece of data be stored and processed, in **${report.allowedRegion}** (London). ` +
      'This report is generated from the synthesized cloud assembly on every synth; the rules behind it and what no template can show are explained in `docs/residency.md`.',
    '',
  );
  lines.push('## Result', '');
  if (report.passed) {
    lines.push(`**Pass**: ${report.rules.length} residency rules found nothing outside ${report.allowedRegion}.`, '');
  } else {
    lines.push(`**FAIL**: ${report.findings.length} finding(s). Each must be fixed; residency findings cannot be acknowledged.`, '');
    lines.push('```', ...report.findings.map(formatFinding), '```', '');
  }
  lines.push('## Stacks', '', '| Stack | Account | Region | Template |', '|---|---|---|---|');
  for (const s of report.stacks) lines.push(`| ${cell(s.stack)} | ${cell(s.account)} | ${cell(s.region)} | ${cell(s.template)} |`);
  if (report.stacks.length === 0) lines.push('| (a lone template: no stack environment) | | | |');
  lines.push('', '## Data map', '');
  lines.push('Every resource that holds or carries data, where it is, how it is protected and how long data stays in it.', '');
  lines.push('| What | Logical id | Stack | Region | Encryption key | Retention / TTL | Backup | Purpose | Personal data |', '|---|---|---|---|---|---|---|---|---|');
  for (const d of report.dataMap) {
    lines.push(
      `| ${cell(d.what)} | ${cell(d.logicalId)} | ${cell(d.stack)} | ${cell(d.region)} | ${cell(d.encryptionKey)} | ${cell(d.retention)} | ${cell(d.backup)} | ${cell(d.purpose)} | ${cell(d.personalData)} |`,
    );
  }
  if (report.dataMap.length === 0) lines.push('| (none) | | | | | | | | |');
  lines.push('', '## Egress', '');
  if (report.egress.length === 0) {
    lines.push(`No function declares an NHS login issuer (${ISSUER_VARIABLE}); no egress is configured.`);
  } else {
    lines.push('The only calls leaving AWS go to the NHS login issuer (discovery, token, JWKS, userinfo):', '');
    for (const e of report.egress) lines.push(`- \`${e.url}\` (host \`${e.host}\`), called by ${e.functions.join(', ')}`);
  }
  lines.push('', '## What no template can show', '');
  lines.push(
    '- AWS Organizations backup policies can add backup plans (and copy actions to other regions) outside any template: the landing zone must confirm none applies.',
    `- The CDK bootstrap must exist in ${report.allowedRegion} only; the checks refuse assemblies that would publish elsewhere, but only the account can show no other bootstrap exists.`,
    `- What code does at run time: every function's execution role denies requests outside ${report.allowedRegion}, and a landing-zone SCP should do the same for the account.`,
    '- IAM names and tags are replicated globally and must hold no personal data (a review point).',
  );
  lines.push('', '## Rules checked', '', '| Rule | Requires |', '|---|---|');
  for (const r of report.rules) lines.push(`| ${r.id} | ${cell(r.info)} |`);
  lines.push('');
  return lines.join('\n');
}

/**
 * Writes `residency-report.md` and `residency-report.json` into a cloud assembly directory: per stack its account
 * and region, the data map, the egress and the result of the residency rules. Call it after `app.synth()`:
 *
 * ```ts
 * const assembly = app.synth();
 * const report = writeResidencyReport(assembly.directory);
 * if (!report.passed) process.exitCode = 1;
 * ```
 *
 * @returns the report (its `findings` are the scanner's)
 * @throws ResidencyInputError when the directory is not a readable cloud assembly
 */
export function writeResidencyReport(assemblyDir: string): ResidencyReport {
  const report = buildResidencyReport(readResidencyInput(assemblyDir));
  fs.writeFileSync(path.join(assemblyDir, REPORT_FILES.markdown), renderResidencyReport(report));
  fs.writeFileSync(path.join(assemblyDir, REPORT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
