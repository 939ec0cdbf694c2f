/**
 * UK residency guardrails: rules that keep everything of this service in eu-west-2, run at synth as a cdk-nag pack
 * and over the synthesized cloud assembly, and the report reviewers read.
 */
export { declareData, DATA_MAP_METADATA_KEY, type DataDeclaration } from './data-map-metadata';
export { declareBackend, BACKEND_METADATA_KEY, type BackendDeclaration } from './backend-declaration';
export { UkResidencyChecks, UK_RESIDENCY_PACK, ACKNOWLEDGEMENT_REFUSED_RULE } from './nag-pack';
export { scanResidency, scanInput, formatScan, type ResidencyScan } from './scanner';
export { readResidencyInput, ResidencyInputError, type ResidencyInput } from './assembly';
export { formatFinding, type ResidencyFinding } from './engine';
export {
  writeResidencyReport,
  buildResidencyReport,
  renderResidencyReport,
  REPORT_FILES,
  type ResidencyReport,
  type DataMapEntry,
  type EgressEntry,
  type ReportStack,
} from './report';
export { runCheckResidency, EXIT } from './cli';
export { ALL_RULES, RESOURCE_RULES, STACK_RULES, ASSET_RULES } from './rules';
export type { ResidencyRule, ResourceRule, StackRule, AssetRule, RuleHit, RuleInfo } from './rule';
export { ALLOWED_REGION } from './regions';
