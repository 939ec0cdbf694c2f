/**
 * A leak behind a condition, a parameter default or a mapping is a leak, in the synthesized template (the scanner's
 * fixtures) and at the construct (the pack, which builds the template's parameters, conditions and mappings from the
 * construct tree). A branch the template settles (a condition on the stack's own region) is never reached.
 */
import { App, CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { propertyVariants } from '../../lib/residency/conditions';
import { UkResidencyChecks } from '../../lib/residency/nag-pack';
import { DEFAULT_RESIDENCY_SETTINGS } from '../../lib/residency/settings';
import type { CfnTemplate } from '../../lib/residency/template';

function pinnedStack(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Main', { env: { account: '123456789012', region: 'eu-west-2' } }) };
}

test('the pack reports a key that becomes multi-Region when a parameter keeps its default', () => {
  const { app, stack } = pinnedStack();
  const mode = new CfnParameter(stack, 'KeyMode', { type: 'String', default: 'replicated' });
  const replicated = new CfnCondition(stack, 'Replicated', { expression: Fn.conditionEquals(mode.valueAsString, 'replicated') });
  new kms.CfnKey(stack, 'Key', { enableKeyRotation: true, multiRegion: Fn.conditionIf(replicated.logicalId, true, false) as unknown as boolean });
  const violations = new UkResidencyChecks(app).validateScope(app).violations;
  expect(violations.map((v) => `${v.ruleName} ${v.description}`)).toContainEqual(
    expect.stringContaining('UkResidency-KmsMultiRegion Properties.MultiRegion: multi-Region key'),
  );
});

test('the pack does not reach a resource created only outside the allowed region', () => {
  const { app, stack } = pinnedStack();
  const inVirginia = new CfnCondition(stack, 'InVirginia', { expression: Fn.conditionEquals(stack.region, 'us-east-1') });
  const topic = new sns.CfnTopic(stack, 'Replica', { topicName: 'replica', subscription: [{ protocol: 'sms', endpoint: '+440000000000' }] });
  topic.cfnOptions.condition = inVirginia;
  expect(new UkResidencyChecks(app).validateScope(app).violations).toEqual([]);
});

describe('propertyVariants', () => {
  const template: CfnTemplate = {
    Resources: {},
    Parameters: { Mode: { Type: 'String', AllowedValues: ['a', 'b'] }, Free: { Type: 'String' } },
    Conditions: { IsA: { 'Fn::Equals': [{ Ref: 'Mode' }, 'a'] }, IsFree: { 'Fn::Equals': [{ Ref: 'Free' }, 'x'] } },
    Mappings: { Shape: { a: { Size: 'small' }, b: { Size: 'large' } } },
  };
  const variants = (properties: Record<string, unknown>) => propertyVariants(properties, undefined, template, DEFAULT_RESIDENCY_SETTINGS);

  test('nothing to decide: the properties themselves', () => {
    const p = { Name: 'x' };
    expect(variants(p)).toEqual([p]);
  });

  test('allowed values settle the condition in each variant; a free parameter leaves both branches', () => {
    expect(variants({ V: { 'Fn::If': ['IsA', 'yes', 'no'] } })).toEqual([{ V: 'yes' }, { V: 'no' }]);
    expect(variants({ V: { 'Fn::If': ['IsFree', 'yes', { Ref: 'AWS::NoValue' }] } })).toEqual([{ V: 'yes' }, {}]);
  });

  test('a mapping lookup keyed by a parameter gives every entry it can reach', () => {
    expect(variants({ Size: { 'Fn::FindInMap': ['Shape', { Ref: 'Mode' }, 'Size'] } })).toEqual([{ Size: 'small' }, { Size: 'large' }]);
  });
});
