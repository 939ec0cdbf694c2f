/**
 * References across stacks: outputs are filed under the names other stacks read them by, and keys and targets are
 * named after the resource behind an import rather than the import itself.
 */
import type { ResidencyInput, StackUnit, TemplateUnit } from '../../../lib/residency/assembly';
import { collectExports, describeKey, describeTarget, importKey, type Exports } from '../../../lib/residency/report/references';
import type { CfnTemplate } from '../../../lib/residency/template';

const env = { account: '123456789012', region: 'eu-west-2' };
const dataTemplate: CfnTemplate = {
  Resources: { DataKey: { Type: 'AWS::KMS::Key' }, Sessions: { Type: 'AWS::DynamoDB::Table' } },
  Outputs: {
    KeyArn: { Value: { 'Fn::GetAtt': ['DataKey', 'Arn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}:KeyArn' } } },
    SessionsName: { Value: { Ref: 'Sessions' } },
    Literal: { Value: 'not a resource', Export: { Name: 'Data:Literal' } },
  },
};
const nestedTemplate: CfnTemplate = { Resources: { Inner: { Type: 'AWS::SQS::Queue' } }, Outputs: { InnerUrl: { Value: { Ref: 'Inner' } } } };
const units: TemplateUnit[] = [
  { file: 'Data.template.json', template: dataTemplate, env, stackId: 'DataStack' },
  {
    file: 'DataNested.nested.template.json',
    template: nestedTemplate,
    env,
    stackId: 'DataStack',
    nestedIn: { file: 'Data.template.json', logicalId: 'Nested' },
  },
];
const stack = { id: 'DataStack', displayName: 'Prod/Data', stackName: 'Prod-Data' } as StackUnit;
const input = { root: '/assembly', kind: 'assembly', stacks: [stack], templates: units, assetManifests: [] } satisfies ResidencyInput;
const exports = collectExports(input, (unit) => (unit.nestedIn ? 'nested' : 'Prod/Data'));
const consumer: CfnTemplate = { Resources: { Logs: { Type: 'AWS::Logs::LogGroup' }, Bucket: { Type: 'AWS::S3::Bucket' } } };

describe('collectExports', () => {
  test('files each output that points at a resource under its export name and <stack name>/<output name>', () => {
    expect(Object.fromEntries(exports)).toEqual({
      '«StackName»:KeyArn': { logicalId: 'DataKey', stack: 'Prod/Data', file: 'Data.template.json' },
      'Prod-Data/KeyArn': { logicalId: 'DataKey', stack: 'Prod/Data', file: 'Data.template.json' },
      'Prod-Data/SessionsName': { logicalId: 'Sessions', stack: 'Prod/Data', file: 'Data.template.json' },
    });
  });

  test('a nested template is not filed under its parent stack name, and literal outputs are left out', () => {
    expect([...exports.keys()].some((k) => k.endsWith('/InnerUrl'))).toBe(false);
    expect(exports.has('Data:Literal')).toBe(false);
  });
});

describe('importKey', () => {
  test.each<[string, unknown, string | undefined]>([
    ['an import', { 'Fn::ImportValue': 'Data:KeyArn' }, 'Data:KeyArn'],
    ['a stack output', { 'Fn::GetStackOutput': { StackName: 'Prod-Data', Region: 'eu-west-2', OutputName: 'KeyArn' } }, 'Prod-Data/KeyArn'],
    ['a local reference', { Ref: 'Logs' }, undefined],
    ['a literal', 'arn:aws:kms:eu-west-2:123456789012:key/abc', undefined],
  ])('%s', (_what, value, key) => {
    expect(importKey(value, consumer)).toBe(key);
  });
});

describe('describeTarget', () => {
  const none: Exports = new Map();
  test.each<[string, unknown, Exports, string]>([
    ['a resource of this template', { 'Fn::GetAtt': ['Logs', 'Arn'] }, none, 'Logs'],
    ['an export of another stack', { 'Fn::GetStackOutput': { StackName: 'Prod-Data', OutputName: 'SessionsName' } }, exports, 'Sessions in Prod/Data'],
    ['an import nothing in the assembly exports', { 'Fn::ImportValue': 'Elsewhere:Arn' }, exports, 'imported Elsewhere:Arn'],
    ['an expression built on a resource of this template', { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }, none, 'Bucket'],
    [
      'an expression built on something else',
      { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:x:${Missing}' },
      none,
      'arn:${AWS::Partition}:logs:${AWS::Region}:x:${Missing}',
    ],
  ])('%s', (_what, value, known, expected) => {
    expect(describeTarget(value, consumer, known)).toBe(expected);
  });
});

describe('describeKey', () => {
  test('no key is AWS default encryption', () => {
    expect(describeKey(undefined, consumer, exports)).toBe('AWS owned key (default encryption)');
  });

  test('a key of this stack, and a key exported by another stack, are customer managed', () => {
    expect(describeKey({ 'Fn::GetAtt': ['DataKey', 'Arn'] }, dataTemplate, exports)).toBe('DataKey (customer managed key, this stack)');
    const output = { 'Fn::GetStackOutput': { StackName: 'Prod-Data', OutputName: 'KeyArn' } };
    expect(describeKey(output, consumer, exports)).toBe('DataKey in Prod/Data (customer managed key)');
    expect(describeKey({ 'Fn::ImportValue': 'Unknown:Key' }, consumer, exports)).toBe('imported Unknown:Key (customer managed key)');
  });

  test('a key given as text is shown as written', () => {
    expect(describeKey('alias/aws/logs', consumer, exports)).toBe('alias/aws/logs');
  });
});
