/**
 * The only part of the report that writes files: the report lands next to the templates it describes, under fixed
 * names, so reviewers and CI always find it in the same place in the cloud assembly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readResidencyInput } from '../assembly';
import type { ResidencyOptions } from '../settings';
import { buildResidencyReport } from './build';
import type { ResidencyReport } from './model';
import { renderResidencyReport } from './render';

/** File names the report is written to, in the assembly directory. */
export const REPORT_FILES = { markdown: 'residency-report.md', json: 'residency-report.json' } as const;

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
 * @param options allowed regions and declared egress (see `ResidencyOptions`); the defaults are this package's own
 * @returns the report (its `findings` are the scanner's)
 * @throws ResidencyInputError when the directory is not a readable cloud assembly
 */
export function writeResidencyReport(assemblyDir: string, options: ResidencyOptions = {}): ResidencyReport {
  const report = buildResidencyReport(readResidencyInput(assemblyDir), options);
  fs.writeFileSync(path.join(assemblyDir, REPORT_FILES.markdown), renderResidencyReport(report));
  fs.writeFileSync(path.join(assemblyDir, REPORT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
