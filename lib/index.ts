/**
 * The library: what another CDK app installs to deploy an NHS login relying party in eu-west-2, or to hold its own
 * templates to the same UK residency rules.
 *
 * ```ts
 * import { App } from 'aws-cdk-lib';
 * import { addGuardrails, NhsLoginRelyingParty } from 'nhs-login-relying-party';
 *
 * const app = new App();
 * new NhsLoginRelyingParty(app, 'NhsLoginRp-sandpit', { config: { stage: 'sandpit', account: '111111111111', ... } });
 * addGuardrails(app);
 * ```
 */
export { NhsLoginRelyingParty, SERVICE, type NhsLoginRelyingPartyProps, type RelyingParty } from './relying-party';
export { StatefulStack, type StatefulStackProps } from './stateful-stack';
export { StatelessStack, type StatelessStackProps } from './stateless-stack';
export { addGuardrails, acknowledgementsFor, type Acknowledgement } from './nag';
export { FUNCTION_TABLE, FUNCTION_NAMES, type FunctionName, type FunctionSpec, type RouteSpec } from './function-table';
export {
  UkResidencyChecks,
  UK_RESIDENCY_PACK,
  ACKNOWLEDGEMENT_REFUSED_RULE,
  scanResidency,
  scanInput,
  formatScan,
  readResidencyInput,
  ResidencyInputError,
  formatFinding,
  writeResidencyReport,
  buildResidencyReport,
  renderResidencyReport,
  REPORT_FILES,
  runCheckResidency,
  ALL_RULES,
  toSarif,
  resolveResidencySettings,
  DEFAULT_RESIDENCY_SETTINGS,
  type ResidencyOptions,
  type ResidencySettings,
  type UkResidencyChecksProps,
  declareData,
  declareBackend,
  type BackendDeclaration,
  type ResidencyScan,
  type ResidencyInput,
  type ResidencyFinding,
  type ResidencyReport,
  type ResidencyRule,
  type DataDeclaration,
} from './residency';
export {
  ALLOWED_REGION,
  NHS_LOGIN_ISSUERS,
  NHS_LOGIN_SCOPES,
  STAGE_NAMES,
  parseStageConfig,
  StageConfigError,
  stageConfigSchema,
  type StageConfig,
  type StageConfigInput,
  type StageName,
} from '../config/schema';
