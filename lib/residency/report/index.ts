/**
 * The residency report reviewers read instead of templates. Code outside this folder imports the report from here
 * only, so how the folder divides the work between its modules can change without touching any caller.
 */
export { REPORT_FILES, writeResidencyReport } from './write';
export { buildResidencyReport } from './build';
export { renderResidencyReport } from './render';
export { DATA_RESOURCE_TYPES } from './descriptors';
export type { ResidencyReport, DataMapEntry, EgressEntry, ReportStack } from './model';
