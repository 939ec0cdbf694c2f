import * as path from 'node:path';
import {
  CfnCondition,
  CfnElement,
  CfnMapping,
  CfnParameter,
  CfnResource,
  Stack,
  Token,
  Validations,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  type PolicyViolation,
} from 'aws-cdk-lib';
import { NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { evaluateEntry, evaluateStack } from './engine';
import { readable } from './intrinsics';
import { ALLOWED, fillAllowed } from './regions';
import { ALL_RULES } from './rules';
import { resolveResidencySettings, type ResidencyOptions, type ResidencySettings } from './settings';
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

/** Options of the pack: cdk-nag's, and what the residency rules are held to. */
export interface UkResidencyChecksProps extends NagPackProps, ResidencyOptions {}

interface ElementInternals {
  _toCloudFormation(): Record<string, Record<string, unknown>>;
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
  /** What the rules are held to (the defaults filled in). */
  public readonly settings: ResidencySettings;

  /**
   * @param scope the app (or stage); passed on to cdk-nag
   * @param props cdk-nag pack options (residency findings always carry their rule's explanation as the suggested
   *   fix) and the residency options: `allowedRegions` (@default ['eu-west-2']), `egressHosts` (@default the NHS
   *   login issuers' hosts) and `selfUrlVariables` (@default ['NHS_LOGIN_REDIRECT_URI', 'NHS_LOGIN_SETTINGS_URL'])
   * @throws Error when a residency option is not usable (a region or host name that is not one)
   */
  public constructor(scope?: IConstruct, props: UkResidencyChecksProps = {}) {
    const { allowedRegions, egressHosts, selfUrlVariables, ...nagProps } = props;
    super(scope, nagProps);
    this.packName = UK_RESIDENCY_PACK;
    this.settings = resolveResidencySettings({
      ...(allowedRegions ? { allowedRegions } : {}),
      ...(egressHosts ? { egressHosts } : {}),
      ...(selfUrlVariables ? { selfUrlVariables } : {}),
    });
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
    // evaluateEntry turns a rule that throws into a finding, so nothing here can fail open.
    for (const { rule, hit, path: where } of evaluateEntry(logicalId, entry, template, env, this.settings)) {
      this.addResidencyViolation(rule.id, rule.info, rule.explanation, node, where, readable(hit.message), { logicalId, stack });
    }
  }

  private checkStack(stack: Stack): void {
    for (const { rule, hit } of evaluateStack({ name: stack.stackName, env: this.envOf(stack), settings: this.settings })) {
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
          `The promise to reviewers is that nothing exists or is processed outside ${ALLOWED}; a finding is fixed, never waived. Remove the acknowledgement and fix the resource.`,
          node,
          [],
          `acknowledgement of ${qualified} refused: residency findings cannot be acknowledged`,
        );
      }
    }
  }

  /**
   * The stack's resources in template form (declared properties, metadata such as backend declarations and the
   * condition each is created under, no overrides), with the parameters, conditions and mappings that decide between
   * variants, built once per validation.
   */
  private templateOf(stack: Stack): CfnTemplate {
    let template = this.templatesByStack.get(stack);
    if (!template) {
      const resources: Record<string, CfnResourceEntry> = {};
      const sections: Record<string, Record<string, unknown>> = { Parameters: {}, Conditions: {}, Mappings: {} };
      for (const node of allConstructs(stack)) {
        if (!CfnElement.isCfnElement(node) || Stack.of(node) !== stack) continue;
        if (node instanceof CfnParameter || node instanceof CfnCondition || node instanceof CfnMapping) {
          // The elements' own rendering (what CDK writes into the template for them), resolved.
          const rendered = stack.resolve((node as unknown as ElementInternals)._toCloudFormation()) as Record<string, Record<string, unknown>>;
          for (const [section, entries] of Object.entries(rendered ?? {})) sections[section] = { ...sections[section], ...entries };
          continue;
        }
        if (!CfnResource.isCfnResource(node)) continue;
        if (!(node as unknown as L1Internals).shouldSynthesize()) continue;
        const metadata = stack.resolve(node.cfnOptions.metadata) as Record<string, unknown> | undefined;
        const condition = node.cfnOptions.condition ? (stack.resolve(node.cfnOptions.condition.logicalId) as string) : undefined;
        resources[stack.resolve(node.logicalId) as string] = {
          Type: node.cfnResourceType,
          Properties: declaredProperties(node),
          ...(metadata && Object.keys(metadata).length > 0 ? { Metadata: metadata } : {}),
          ...(condition ? { Condition: condition } : {}),
        };
      }
      template = { Resources: resources, ...sections };
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
    const location = fillAllowed(at ? `${at}: ${message}` : message, this.settings);
    const templatePath = resource ? this.templatePaths.get(resource.stack.templateFile) : undefined;
    const violating = {
      constructPath: node.node.path,
      locations: at ? [at] : [],
      ...(resource && templatePath ? { resourceLogicalId: resource.logicalId, templatePath } : {}),
    };
    // One violation per distinct finding: CDK prints a violation's description, not its locations, so the
    // description carries what was found and where.
    const description = `${location}. ${fillAllowed(info, this.settings)}`;
    const existing = this.residencyViolations.find((v) => v.ruleName === ruleId && v.description === description);
    if (existing) existing.violatingResources.push(violating);
    else {
      this.residencyViolations.push({
        ruleName: ruleId,
        description,
        fix: fillAllowed(explanation, this.settings),
        severity: SEVERITY,
        violatingResources: [violating],
      });
    }
  }
}
