/**
 * The service's only calls leaving AWS go to the NHS login issuer, so the report lists the issuer each function is
 * configured with: a reviewer sees every egress and which function makes it without reading Lambda environments.
 */
import type { TemplateUnit } from '../assembly';
import { renderText } from '../intrinsics';
import { select } from '../template';
import type { EgressEntry } from './model';

/** Environment variable that holds the NHS login issuer in every function (lambda/settings.ts). */
export const ISSUER_VARIABLE = 'NHS_LOGIN_ISSUER';

/** The issuers the functions of the assembly declare, each once, with the functions that call it, in template order. */
export function collectEgress(templates: readonly TemplateUnit[], stackName: (unit: TemplateUnit) => string): EgressEntry[] {
  const egress = new Map<string, { url: string; host: string; functions: string[] }>();
  for (const unit of templates) {
    for (const [logicalId, r] of Object.entries(unit.template.Resources ?? {})) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const issuer = select(r.Properties, `Environment.Variables.${ISSUER_VARIABLE}`)[0]?.value;
      if (issuer === undefined) continue;
      const url = renderText(issuer, unit.template);
      let host = url;
      try {
        host = new URL(url).host;
      } catch {
        // Left as written: the report shows what the template says.
      }
      const entry = egress.get(url) ?? { url, host, functions: [] };
      entry.functions.push(`${logicalId} (${stackName(unit)})`);
      egress.set(url, entry);
    }
  }
  return [...egress.values()];
}
