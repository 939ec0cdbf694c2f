import type { AssetRule, ResidencyRule, ResourceRule, StackRule } from '../rule';
import { Aggregation } from './UkResidency-Aggregation';
import { ApiGatewayEndpoints } from './UkResidency-ApiGatewayEndpoints';
import { ArnRegions } from './UkResidency-ArnRegions';
import { AssetDestinations } from './UkResidency-AssetDestinations';
import { BackupCopies } from './UkResidency-BackupCopies';
import { CanaryArtifacts } from './UkResidency-CanaryArtifacts';
import { ChatIntegrations } from './UkResidency-ChatIntegrations';
import { CloudFront } from './UkResidency-CloudFront';
import { CrossRegionReferences } from './UkResidency-CrossRegionReferences';
import { CustomResourceRegions } from './UkResidency-CustomResourceRegions';
import { DataDestinations } from './UkResidency-DataDestinations';
import { DataProtectionFindings } from './UkResidency-DataProtectionFindings';
import { DynamoDbReplication } from './UkResidency-DynamoDbReplication';
import { EcrReplication } from './UkResidency-EcrReplication';
import { EdgeBacked } from './UkResidency-EdgeBacked';
import { EmbeddedEndpoints } from './UkResidency-EmbeddedEndpoints';
import { ExternalEndpoints } from './UkResidency-ExternalEndpoints';
import { GlobalDatastores } from './UkResidency-GlobalDatastores';
import { GlobalDns } from './UkResidency-GlobalDns';
import { GlobalIdentity } from './UkResidency-GlobalIdentity';
import { GlobalRouting } from './UkResidency-GlobalRouting';
import { KmsMultiRegion } from './UkResidency-KmsMultiRegion';
import { LambdaEgress } from './UkResidency-LambdaEgress';
import { LambdaRegionDeny } from './UkResidency-LambdaRegionDeny';
import { RegionNames } from './UkResidency-RegionNames';
import { RestoreTesting } from './UkResidency-RestoreTesting';
import { S3DataMovement } from './UkResidency-S3DataMovement';
import { SecretsReplicas } from './UkResidency-SecretsReplicas';
import { SnsSubscriptions } from './UkResidency-SnsSubscriptions';
import { StackEnvironment } from './UkResidency-StackEnvironment';
import { StackSets } from './UkResidency-StackSets';
import { TelemetryExport } from './UkResidency-TelemetryExport';
import { WafScope } from './UkResidency-WafScope';

/** Rules over each stack's environment. */
export const STACK_RULES: readonly StackRule[] = [StackEnvironment];

/** Rules over asset manifests (scanner only: assets exist only in the cloud assembly). */
export const ASSET_RULES: readonly AssetRule[] = [AssetDestinations];

/** Rules over each resource; the specific ones first, the generic string walks last. */
export const RESOURCE_RULES: readonly ResourceRule[] = [
  DynamoDbReplication,
  S3DataMovement,
  BackupCopies,
  RestoreTesting,
  CanaryArtifacts,
  DataProtectionFindings,
  KmsMultiRegion,
  SecretsReplicas,
  EcrReplication,
  CloudFront,
  EdgeBacked,
  WafScope,
  ApiGatewayEndpoints,
  DataDestinations,
  ExternalEndpoints,
  SnsSubscriptions,
  LambdaEgress,
  LambdaRegionDeny,
  TelemetryExport,
  GlobalRouting,
  GlobalDns,
  GlobalIdentity,
  ChatIntegrations,
  CrossRegionReferences,
  CustomResourceRegions,
  StackSets,
  Aggregation,
  GlobalDatastores,
  RegionNames,
  ArnRegions,
  EmbeddedEndpoints,
];

/** Every residency rule. */
export const ALL_RULES: readonly ResidencyRule[] = [...STACK_RULES, ...ASSET_RULES, ...RESOURCE_RULES];
