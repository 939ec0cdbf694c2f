import * as path from 'node:path';
import { CfnResource, Stack, Token, Validations, type IPolicyValidationContext, type PolicyValidationPluginReport, type PolicyViolation } from 'aws-cdk-lib';
import { NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { evaluateResource, evaluateStack, resourcePath } from './engine';
import { readable } from './intrinsics';
import { ALL_RULES } from './rules';
import { formatPath, type CfnResourceEntry, type CfnTemplate, type ValuePath } from './template';

/** The pack's name: the prefix of every rule id and the namespace CDK gives its findings. */
export const UK_RESIDENCY_PACK = 'UkResidency';

/** Rule id of the finding raised where someone tries to acknowledge a residency finding. */
export const ACKNOWLEDGEMENT_REFUSED_RULE = `${UK_RESIDENCY_PACK}-AcknowledgementRefused`;

/**
 * CDK never suppresses a `fatal` violation (`isSuppressibleViolation` in aws-cdk-lib), so reporting every
 * residency finding as fatal is what makes `Validations.of(x).acknowledge(...)` powerless against it.
 */
const SEVERITY = 'fatal';

interface L1Internals {
  readonly cfnProperties: Record<string, unknown>;
  renderProperties(props: Record<string, unknown>): Record<string, unknown>;
  shouldSynthesize(): boolean;
}

/**
 * A resource's properties in template form, as the construct declares them: resolved the way CDK resolves them
 * for the template, then rendered to CloudFormation names, but without `addPropertyOverride`/`addOverride`
 * escape hatches (those exist only in the synthesized template; the scanner reads them there).
 */
function declaredProperties(node: CfnResource): Record<string, unknown> {
  // cfnProperties/renderProperties are protected; they are the same two steps CfnResource uses when it renders.
  const l1 = node as unknown as L1Internals;
  const stack = Stack.of(node);
  const resolved = stack.resolve(l1.cfnProperties) as Record<string, unknown>;
  return (stack.resolve(l1.renderProperties(resolved ?? {})) as Record<string, unknown>) ?? {};
}

function allConstructs(root: IConstruct): IConstruct[] {
  return root.node.findAll();
}

/**
 * The UK residency rules as a cdk-nag v3 pack. Register it on the app so that every synth runs the rules over the
 * constructs and reports each finding at the construct that caused it:
 *
 * ```ts
 * Validations.of(app).addPlugins(new UkResidencyChecks(app));
 * ```
 *
 * Findings are `fatal` and cannot be acknowledged: an acknowledgement of any `UkResidency-*` id is itself
 * reported (`UkResidency-AcknowledgementRefused`) at the construct that carries it. The pack sees the properties
 * constructs declare; escape-hatch overrides are only visible in the synthesized templates, which
 * `scanResidency` checks.
 */
export class UkResidencyChecks extends NagPack {
  public readonly name = UK_RESIDENCY_PACK;
  public override readonly ruleIds: string[] = [...ALL_RULES.map((r) => r.id), ACKNOWLEDGEMENT_REFUSED_RULE];
  private residencyViolations: PolicyViolation[] = [];
  private templatesByStack = new Map<Stack, CfnTemplate>();
  private templatePaths = new Map<string, string>();

  /**
   * @param scope the app (or stage); passed on to cdk-nag
   * @param props cdk-nag pack options; residency findings always carry their rule's explanation as the suggested fix
   */
  public constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = UK_RESIDENCY_PACK;
  }

  /** Called by CDK after synthesis; remembers where each stack's template is so findings can point into it. */
  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.templatePaths = new Map(context.templatePaths.map((p) => [path.basename(p), p]));
    return super.validate(context);
  }

  /** Runs every residency rule over the constructs under `scope` (the app when CDK calls the pack). */
  public override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.residencyViolations = [];
    this.templatesByStack = new Map();
    const base = super.validateScope(scope); // walks the tree, calling checkResource for each L1
    for (const node of allConstructs(scope)) {
      if (Stack.isStack(node)) this.checkStack(node);
      this.refuseAcknowledgements(node);
    }
    const violations = [...base.violations, ...this.residencyViolations];
    return { success: violations.length === 0, violations };
  }

  protected checkResource(node: CfnResource): void {
    const l1 = node as unknown as L1Internals;
    if (!l1.shouldSynthesize()) return;
    const stack = Stack.of(node);
    const template = this.templateOf(stack);
    const logicalId = stack.resolve(node.logicalId) as string;
    const entry = template.Resources?.[logicalId];
    if (!entry) return;
    const env = this.envOf(stack);
    const view = { logicalId, type: node.cfnResourceType, properties: entry.Properties ?? {}, template, env };
    // evaluateResource turns a rule that throws into a finding, so nothing here can fail open.
    for (const { rule, hit } of evaluateResource(view)) {
      this.addResidencyViolation(rule.id, rule.info, rule.explanation, node, resourcePath(hit.path), readable(hit.message), { logicalId, stack });
    }
  }

  private checkStack(stack: Stack): void {
    for (const { rule, hit } of evaluateStack({ name: stack.stackName, env: this.envOf(stack) })) {
      this.addResidencyViolation(rule.id, rule.info, rule.explanation, stack, hit.path, hit.message);
    }
  }

  /** Reports any acknowledgement of a residency rule, wherever in the tree it was made. */
  private refuseAcknowledgements(node: IConstruct): void {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const qualified of Object.keys(entry.data as Record<string, string>)) {
        const id = qualified.replace(/^.*::/, '');
        if (!id.startsWith(UK_RESIDENCY_PACK)) continue;
        this.addResidencyViolation(
          ACKNOWLEDGEMENT_REFUSED_RULE,
          'Residency findings cannot be acknowledged.',
          'The promise to reviewers is that nothing exists or is processed outside eu-west-2; a finding is fixed, never waived. Remove the acknowledgement and fix the resource.',
          node,
          [],
          `acknowledgement of ${qualified} refused: residency findings cannot be acknowledged`,
        );
      }
    }
  }

  /**
   * The stack's resources in template form (declared properties and metadata such as backend declarations, no
   * overrides), built once per validation.
   */
  private templateOf(stack: Stack): CfnTemplate {
    let template = this.templatesByStack.get(stack);
    if (!template) {
      const resources: Record<string, CfnResourceEntry> = {};
      for (const node of allConstructs(stack)) {
        if (!CfnResource.isCfnResource(node) || Stack.of(node) !== stack) continue;
        if (!(node as unknown as L1Internals).shouldSynthesize()) continue;
        const metadata = stack.resolve(node.cfnOptions.metadata) as Record<string, unknown> | undefined;
        resources[stack.resolve(node.logicalId) as string] = {
          Type: node.cfnResourceType,
          Properties: declaredProperties(node),
          ...(metadata && Object.keys(metadata).length > 0 ? { Metadata: metadata } : {}),
        };
      }
      template = { Resources: resources };
      this.templatesByStack.set(stack, template);
    }
    return template;
  }

  private envOf(stack: Stack): { account?: string; region?: string } {
    return {
      ...(Token.isUnresolved(stack.account) ? {} : { account: stack.account }),
      ...(Token.isUnresolved(stack.region) ? {} : { region: stack.region }),
    };
  }

  private addResidencyViolation(
    ruleId: string,
    info: string,
    explanation: string,
    node: IConstruct,
    where: ValuePath,
    message: string,
    resource?: { logicalId: string; stack: Stack },
  ): void {
    const at = formatPath(where);
    const location = at ? `${at}: ${message}` : message;
    const templatePath = resource ? this.templatePaths.get(resource.stack.templateFile) : undefined;
    const violating = {
      constructPath: node.node.path,
      locations: at ? [at] : [],
      ...(resource && templatePath ? { resourceLogicalId: resource.logicalId, templatePath } : {}),
    };
    // One violation per distinct finding: CDK prints a violation's description, not its locations, so the
    // description carries what was found and where.
    const description = `${location}. ${info}`;
    const existing = this.residencyViolations.find((v) => v.ruleName === ruleId && v.description === description);
    if (existing) existing.violatingResources.push(violating);
    else {
      this.residencyViolations.push({ ruleName: ruleId, description, fix: explanation, severity: SEVERITY, violatingResources: [violating] });
    }
  }
}
