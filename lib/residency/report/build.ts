/**
 * Composes the report from the pieces (references, descriptors, backup coverage, egress) and the scanner's result.
 * Kept pure (it reads and writes no files) so that it can be tested on an input held in memory.
 */
import type { ResidencyInput, TemplateUnit } from '../assembly';
import { DATA_MAP_METADATA_KEY } from '../data-map-metadata';
import { allowedText, fillAllowed } from '../regions';
import { ALL_RULES } from '../rules';
import { scanInput } from '../scanner';
import type { ResidencyOptions } from '../settings';
import { isRecord } from '../template';
import { backupSelections } from './backup-coverage';
import { DATA_RESOURCE_TYPES, encryptionOf, retentionOf } from './descriptors';
import { collectEgress } from './egress';
import type { DataMapEntry, ReportStack, ResidencyReport } from './model';
import { collectExports } from './references';

/**
 * Builds the report from what `readResidencyInput` read. Pure.
 *
 * @param options allowed regions and declared egress (see `ResidencyOptions`)
 */
export function buildResidencyReport(input: ResidencyInput, options: ResidencyOptions = {}): ResidencyReport {
  const scan = scanInput(input, options);
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
  for (const unit of input.templates) {
    for (const [logicalId, r] of Object.entries(unit.template.Resources ?? {})) {
      const declared = isRecord(r.Metadata?.[DATA_MAP_METADATA_KEY]) ? (r.Metadata[DATA_MAP_METADATA_KEY] as Record<string, unknown>) : undefined;
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
    allowedRegion: allowedText(scan.settings),
    egressHosts: scan.settings.egressHosts,
    stacks,
    dataMap,
    egress: collectEgress(input.templates, stackName, scan.settings),
    rules: ALL_RULES.map((r) => ({ id: r.id, info: fillAllowed(r.info, scan.settings) })),
    findings: scan.findings,
    passed: scan.findings.length === 0,
  };
}
