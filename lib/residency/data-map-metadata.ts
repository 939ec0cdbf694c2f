import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Template metadata key under which a data-holding resource describes what it holds (read by the data map). */
export const DATA_MAP_METADATA_KEY = 'UkResidencyDataMap';

/** What a resource that holds or carries data says about it, for the residency report's data map. */
export interface DataDeclaration {
  /** What the resource is for, in a reviewer's words (e.g. "server-side sessions and login transactions"). */
  readonly purpose: string;
  /** The personal data it may hold, or "none" (e.g. "NHS login subject, vot, the configured claims"). */
  readonly personalData: string;
}

/**
 * Records a data declaration on the CloudFormation resource behind `construct` (its default child when it is an
 * L2), so the declaration travels in the synthesized template and the scanner and report can read it.
 */
export function declareData(construct: IConstruct, declaration: DataDeclaration): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`declareData: ${construct.node.path} has no CloudFormation resource to describe`);
  }
  resource.addMetadata(DATA_MAP_METADATA_KEY, { purpose: declaration.purpose, personalData: declaration.personalData });
}
