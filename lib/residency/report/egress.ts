/**
 * Every place the service sends data outside AWS, so a reviewer sees all egress without reading Lambda environments
 * or API methods: the NHS login issuer each function is configured with (the functions' only egress), and each
 * backend the API forwards requests to (the stage's mounts: every HTTP or HTTP_PROXY integration of a REST API
 * method, over the internet or through a VPC link), with the methods that use it.
 */
import type { TemplateUnit } from '../assembly';
import { backendDeclarationOf } from '../backend-declaration';
import { readable, renderText } from '../intrinsics';
import { type CfnTemplate, isRecord, select } from '../template';
import type { EgressEntry } from './model';

/** Environment variable that holds the NHS login issuer in every function (lambda/settings.ts). */
export const ISSUER_VARIABLE = 'NHS_LOGIN_ISSUER';

/** The host of a URL as written; the text itself when it is not a URL (the report shows what the template says). */
function hostOrText(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The resource path of a REST API resource, from its `PathPart`s up to the API root (`/` for the root itself);
 * `undefined` when the chain leaves this template or cannot be followed.
 */
function resourcePath(resourceId: unknown, template: CfnTemplate, depth = 0): string | undefined {
  if (isRecord(resourceId) && Array.isArray(resourceId['Fn::GetAtt']) && resourceId['Fn::GetAtt'][1] === 'RootResourceId') return '/';
  const ref = isRecord(resourceId) ? resourceId.Ref : undefined;
  const resource = typeof ref === 'string' ? template.Resources?.[ref] : undefined;
  if (depth > 50 || resource?.Type !== 'AWS::ApiGateway::Resource' || typeof resource.Properties?.PathPart !== 'string') return undefined;
  const parent = resourcePath(resource.Properties.ParentId, template, depth + 1);
  return parent === undefined ? undefined : `${parent === '/' ? '' : parent}/${resource.Properties.PathPart}`;
}

/** The issuers the functions of the assembly declare, each once, with the functions that call it, in template order. */
function issuers(templates: readonly TemplateUnit[], stackName: (unit: TemplateUnit) => string): EgressEntry[] {
  const egress = new Map<string, { kind: 'nhs-login'; url: string; host: string; functions: string[]; methods: string[] }>();
  for (const unit of templates) {
    for (const [logicalId, r] of Object.entries(unit.template.Resources ?? {})) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const issuer = select(r.Properties, `Environment.Variables.${ISSUER_VARIABLE}`)[0]?.value;
      if (issuer === undefined) continue;
      const url = renderText(issuer, unit.template);
      const entry = egress.get(url) ?? { kind: 'nhs-login', url, host: hostOrText(url), functions: [], methods: [] };
      entry.functions.push(`${logicalId} (${stackName(unit)})`);
      egress.set(url, entry);
    }
  }
  return [...egress.values()];
}

/**
 * The backends REST API methods forward to, each once (by base URL, the `/{proxy}` of a proxy resource left off and
 * by connection), with the methods that use it and what their declaration says, in template order.
 */
function backends(templates: readonly TemplateUnit[], stackName: (unit: TemplateUnit) => string): EgressEntry[] {
  const egress = new Map<
    string,
    { kind: 'backend'; url: string; host: string; functions: string[]; methods: string[]; connection: 'internet' | 'vpc-link'; purpose: string }
  >();
  for (const unit of templates) {
    for (const [logicalId, r] of Object.entries(unit.template.Resources ?? {})) {
      const integration = r.Properties?.Integration;
      if (r.Type !== 'AWS::ApiGateway::Method' || !isRecord(integration) || (integration.Type !== 'HTTP' && integration.Type !== 'HTTP_PROXY')) continue;
      const url = readable(renderText(integration.Uri, unit.template))
        .replace(/\/\{proxy\+?\}$/, '')
        .replace(/\/+$/, '');
      const connection = integration.ConnectionType === 'VPC_LINK' ? 'vpc-link' : 'internet';
      const key = `${connection} ${url}`;
      const purpose = backendDeclarationOf(unit.template, logicalId)?.purpose ?? 'undeclared';
      const entry = egress.get(key) ?? { kind: 'backend', url, host: hostOrText(url), functions: [], methods: [], connection, purpose };
      const path = resourcePath(r.Properties?.ResourceId, unit.template) ?? logicalId;
      entry.methods.push(`${String(r.Properties?.HttpMethod)} ${path} (${stackName(unit)})`);
      egress.set(key, entry);
    }
  }
  return [...egress.values()];
}

/** All egress of the assembly: the NHS login issuers first, then the backends. */
export function collectEgress(templates: readonly TemplateUnit[], stackName: (unit: TemplateUnit) => string): EgressEntry[] {
  return [...issuers(templates, stackName), ...backends(templates, stackName)];
}
