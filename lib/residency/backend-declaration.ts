import { CfnResource } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { CfnTemplate } from './template';
import { isRecord } from './template';

/** Template metadata key under which an API method declares the backend its HTTP integration forwards to. */
export const BACKEND_METADATA_KEY = 'UkResidencyBackend';

/** What a method says about the backend it forwards requests to, for `UkResidency-ExternalEndpoints` and the report. */
export interface BackendDeclaration {
  /** Why requests go there, in a reviewer's words (e.g. "the api mount /api/appointments (stage config)"). */
  readonly purpose: string;
}

/** The host of a URL-like text (`https://host:443/path` -> `host`), as written; `undefined` when there is none. */
export function hostOf(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/:?#\s]+)/i.exec(url)?.[1];
}

/**
 * Declares the backend of an API Gateway method with an HTTP or HTTP_PROXY integration: the host of its integration
 * URI (as the construct built it) and why requests go there. The declaration travels in the synthesized template.
 *
 * A declaration is not an acknowledgement: `UkResidency-ExternalEndpoints` accepts an internet backend only when the
 * declared host is the host the template's integration URI names (an escape hatch that changes the URI is not
 * covered), and never an AWS endpoint outside eu-west-2 or a global one. The report lists every backend as egress.
 */
export function declareBackend(method: apigw.Method, declaration: BackendDeclaration): void {
  const resource = method.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) throw new Error(`declareBackend: ${method.node.path} has no CloudFormation resource`);
  const integration = (resource as apigw.CfnMethod).integration as apigw.CfnMethod.IntegrationProperty | undefined;
  const host = typeof integration?.uri === 'string' ? hostOf(integration.uri) : undefined;
  if (!host) throw new Error(`declareBackend: ${method.node.path} has no HTTP integration URI to declare`);
  resource.addMetadata(BACKEND_METADATA_KEY, { host, purpose: declaration.purpose });
}

/** The backend declaration of a resource in a template, if it carries a well-formed one. */
export function backendDeclarationOf(template: CfnTemplate, logicalId: string): { host: unknown; purpose: string } | undefined {
  const value = template.Resources?.[logicalId]?.Metadata?.[BACKEND_METADATA_KEY];
  if (!isRecord(value) || typeof value.purpose !== 'string' || value.host === undefined) return undefined;
  return { host: value.host, purpose: value.purpose };
}
