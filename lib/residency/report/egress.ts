/**
 * Every place the service sends data outside AWS, so a reviewer sees all egress without reading Lambda environments
 * or API methods: the NHS login issuer each function is configured with (the functions' only egress), and each
 * backend the API forwards requests to (the stage's mounts: every HTTP or HTTP_PROXY integration of a REST API
 * method, over the internet or through a VPC link), with the methods that use it.
 */
import type { TemplateUnit } from '../assembly';
import { backendDeclarationOf } from '../backend-declaration';
import { classifyUrl, declaredHostOf, egressUses } from '../egress';
import { readable, renderText } from '../intrinsics';
import type { ResidencySettings } from '../settings';
import { type CfnTemplate, formatPath, isRecord, select } from '../template';
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

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"',]+/gi;

/**
 * Every other use of declared egress, by host: each place a resource names a declared host (see `egressUses`, and
 * Lambda environment values other than the issuer and the self-URL variables), with the resources that use it.
 */
function otherDeclared(templates: readonly TemplateUnit[], stackName: (unit: TemplateUnit) => string, settings: ResidencySettings): EgressEntry[] {
  const egress = new Map<string, { kind: 'declared'; url: string; host: string; functions: string[]; methods: string[]; resources: string[] }>();
  const add = (host: string, url: string, use: string) => {
    const entry = egress.get(host) ?? { kind: 'declared', url, host, functions: [], methods: [], resources: [] };
    if (!entry.resources.includes(use)) entry.resources.push(use);
    egress.set(host, entry);
  };
  for (const unit of templates) {
    for (const [logicalId, r] of Object.entries(unit.template.Resources ?? {})) {
      if (r.Type === 'AWS::ApiGateway::Method') continue; // listed as backends
      const properties = isRecord(r.Properties) ? r.Properties : {};
      const declaredHost = declaredHostOf({ logicalId, template: unit.template });
      const where = (path: readonly (string | number)[]) => `${logicalId} ${r.Type} ${formatPath(path)} (${stackName(unit)})`;
      for (const use of egressUses({ type: r.Type, properties, template: unit.template })) {
        const verdict = classifyUrl(use.url, settings, declaredHost);
        if (verdict.kind === 'declared') add(verdict.host, readable(use.url), `${use.what}: ${where(use.path)}`);
      }
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const variables = select(properties, 'Environment.Variables')[0]?.value;
      if (!isRecord(variables)) continue;
      for (const [name, value] of Object.entries(variables)) {
        if (name === ISSUER_VARIABLE || settings.selfUrlVariables.includes(name)) continue;
        for (const m of renderText(value, unit.template).matchAll(URL_IN_TEXT)) {
          const verdict = classifyUrl(m[0], settings, declaredHost);
          if (verdict.kind === 'declared') add(verdict.host, readable(m[0]), `function environment: ${where(['Environment', 'Variables', name])}`);
        }
      }
    }
  }
  return [...egress.values()];
}

/** All egress of the assembly: the NHS login issuers first, then the backends, then every other use of declared egress. */
export function collectEgress(templates: readonly TemplateUnit[], stackName: (unit: TemplateUnit) => string, settings?: ResidencySettings): EgressEntry[] {
  return [...issuers(templates, stackName), ...backends(templates, stackName), ...(settings ? otherDeclared(templates, stackName, settings) : [])];
}
