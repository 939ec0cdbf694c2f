/**
 * Data is often protected or backed up from another stack (a key in a data stack, a backup selection in a backup
 * stack), so the report must follow `Fn::ImportValue` and `Fn::GetStackOutput` back to the resource behind them to
 * say which key or selection applies, instead of printing an opaque import.
 */
import type { ResidencyInput, TemplateUnit } from '../assembly';
import { localReference, readable, renderText } from '../intrinsics';
import { isRecord, type CfnTemplate } from '../template';

/**
 * Where each value other stacks can read comes from: export name, or `<stack name>/<output name>` for
 * `Fn::GetStackOutput`, -> the resource and template behind it.
 */
export type Exports = ReadonlyMap<string, { readonly logicalId: string; readonly stack: string; readonly file: string }>;

/** Files every output that points at a resource of its template under its export name and `<stack name>/<output name>`. */
export function collectExports(input: ResidencyInput, stackName: (unit: TemplateUnit) => string): Exports {
  const out = new Map<string, { logicalId: string; stack: string; file: string }>();
  for (const unit of input.templates) {
    const cfnName = input.stacks.find((s) => s.id === unit.stackId && !unit.nestedIn)?.stackName;
    for (const [outputName, output] of Object.entries(unit.template.Outputs ?? {})) {
      if (!isRecord(output)) continue;
      const source = localReference(output.Value, unit.template);
      if (!source) continue;
      const entry = { logicalId: source, stack: stackName(unit), file: unit.file };
      if (isRecord(output.Export)) out.set(renderText(output.Export.Name, unit.template), entry);
      if (cfnName) out.set(`${cfnName}/${outputName}`, entry);
    }
  }
  return out;
}

/** The key under which `collectExports` files the value an `Fn::ImportValue` or `Fn::GetStackOutput` reads. */
export function importKey(value: unknown, template: CfnTemplate): string | undefined {
  if (!isRecord(value)) return undefined;
  if ('Fn::ImportValue' in value) return renderText(value['Fn::ImportValue'], template);
  const output = value['Fn::GetStackOutput'];
  if (isRecord(output)) return `${renderText(output.StackName, template)}/${renderText(output.OutputName, template)}`;
  return undefined;
}

/** Names what a reference points at: a resource of this stack, an export of another stack, or the literal. */
export function describeTarget(value: unknown, template: CfnTemplate, exports: Exports): string {
  const local = localReference(value, template);
  if (local) return local;
  const key = importKey(value, template);
  if (key !== undefined) {
    const source = exports.get(key);
    return source ? `${source.logicalId} in ${source.stack}` : `imported ${key}`;
  }
  const text = renderText(value, template);
  const ref = /«(?:Ref|GetAtt) ([A-Za-z0-9]+)[.»]/.exec(text)?.[1];
  return ref && template.Resources?.[ref] ? ref : readable(text);
}

/** Names the key a resource is encrypted with; an absent key means AWS's own default encryption. */
export function describeKey(value: unknown, template: CfnTemplate, exports: Exports): string {
  if (value === undefined) return 'AWS owned key (default encryption)';
  const local = localReference(value, template);
  if (local) return `${local} (customer managed key, this stack)`;
  if (importKey(value, template) !== undefined) return `${describeTarget(value, template, exports)} (customer managed key)`;
  return describeTarget(value, template, exports);
}
