/**
 * UK residency guardrails: rules that keep everything of a CDK app in its allowed region(s) (eu-west-2 by default),
 * run at synth as a cdk-nag pack and over the synthesized cloud assembly, and the report reviewers read.
 */
export { declareData, DATA_MAP_METADATA_KEY, type DataDeclaration } from './data-map-metadata';
export { declareBackend, BACKEND_METADATA_KEY, type BackendDeclaration } from './backend-declaration';
export { UkResidencyChecks, UK_RESIDENCY_PACK, ACKNOWLEDGEMENT_REFUSED_RULE, type UkResidencyChecksProps } from './nag-pack';
export {
  resolveResidencySettings,
  DEFAULT_RESIDENCY_SETTINGS,
  NHS_LOGIN_ISSUER_HOSTS,
  type ResidencyOptions,
  type ResidencySettings,
} from './settings';
export { toSarif, SARIF_VERSION } from './sarif';
export { FREE_TEXT_PROPERTIES, HUMAN_TAG_KEYS } from './intrinsics';
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
