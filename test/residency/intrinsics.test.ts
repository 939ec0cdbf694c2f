/**
 * The building blocks the rules share: the region pattern, rendering intrinsics to text, ARN parsing, where a
 * destination lives and how a text sits relative to an IAM Deny.
 */
import { denyPosition, findArns, regionOfDestination, renderText, walkText } from '../../lib/residency/intrinsics';
import { findRegionNames, isForeignRegion } from '../../lib/residency/regions';
import type { CfnTemplate, ValuePath } from '../../lib/residency/template';

const template: CfnTemplate = { Resources: { Queue: { Type: 'AWS::SQS::Queue' }, Bucket: { Type: 'AWS::S3::Bucket' } } };

describe('region names', () => {
  test.each(['us-east-1', 'eu-central-1', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1', 'il-central-1'])('finds %s', (r) => {
    expect(findRegionNames(`https://sqs.${r}.amazonaws.com`).map((f) => f.region)).toEqual([r]);
    expect(isForeignRegion(r)).toBe(true);
  });

  test.each(['eu-west-22', 'myus-east-1', 'us-east-1x', 'europe-west2', 'EU-WEST-1'])('does not mistake %s for a region', (text) => {
    expect(findRegionNames(text)).toEqual([]);
  });

  test('eu-west-2 is found but is not foreign', () => {
    expect(findRegionNames('eu-west-2').map((f) => f.region)).toEqual(['eu-west-2']);
    expect(isForeignRegion('eu-west-2')).toBe(false);
  });
});

describe('renderText', () => {
  test('joins Fn::Join pieces, marking pseudo parameters and references', () => {
    const arn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { 'Fn::GetAtt': ['Queue', 'QueueName'] }],
      ],
    };
    expect(renderText(arn, template)).toBe('arn:«Partition»:sqs:«Region»:«AccountId»:«GetAtt Queue.QueueName»');
  });

  test('renders Fn::Sub variables and keeps escaped ${!...} literal', () => {
    expect(renderText({ 'Fn::Sub': 'https://s3.${AWS::Region}.${AWS::URLSuffix}/${Bucket}/${!Literal}' }, template)).toBe(
      'https://s3.«Region».«URLSuffix»/«Ref Bucket»/${Literal}',
    );
  });

  test('the region field of a local ARN, taken with Select and Split, is the stack region', () => {
    expect(renderText({ 'Fn::Select': [3, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Queue', 'Arn'] }] }] }, template)).toBe('«Region»');
    expect(renderText({ 'Fn::Select': [3, { 'Fn::Split': [':', { Ref: 'SomeParameter' }] }] }, template)).toBe('«?»');
  });
});

describe('walkText', () => {
  function texts(value: unknown): string[] {
    const out: string[] = [];
    walkText(value, template, (text) => out.push(text));
    return out;
  }

  test('substitutes Fn::Sub variables, so a region in the variable map is seen', () => {
    expect(texts({ 'Fn::Sub': ['https://sqs.${R}.amazonaws.com', { R: 'us-east-1' }] })).toEqual(['https://sqs.us-east-1.amazonaws.com']);
  });

  test('walks inside parts of a join it cannot render (Fn::If branches)', () => {
    const value = { 'Fn::Join': ['', ['https://', { 'Fn::If': ['InUs', 'api.us-east-1.example', 'api.example'] }]] };
    expect(texts(value)).toEqual(['https://«?»', 'InUs', 'api.us-east-1.example', 'api.example']);
  });

  test('parses JSON strings and walks their content', () => {
    expect(texts('{"service":"SSM","region":"us-east-1"}')).toEqual(['SSM', 'us-east-1']);
  });
});

describe('findArns', () => {
  test('splits fields even when a marker holds a space', () => {
    const [arn] = findArns('arn:aws:sqs:«Ref QueueRegion»:123456789012:jobs');
    expect(arn).toEqual(expect.objectContaining({ service: 'sqs', region: '«Ref QueueRegion»', account: '123456789012' }));
  });

  test('global IAM ARNs have no region', () => {
    expect(findArns('arn:aws:iam::aws:policy/ReadOnlyAccess')[0]).toEqual(expect.objectContaining({ service: 'iam', region: '' }));
  });
});

describe('regionOfDestination', () => {
  test.each([
    ['a resource of the stack', { 'Fn::GetAtt': ['Queue', 'Arn'] }, 'in-region'],
    ['an import (same region by CloudFormation rules)', { 'Fn::ImportValue': 'Stateful:QueueArn' }, 'in-region'],
    ['an ARN in eu-west-2', 'arn:aws:sqs:eu-west-2:123456789012:q', 'in-region'],
    ['an ARN built with AWS::Region', { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q' }, 'in-region'],
    ['an output of a stack in eu-west-2', { 'Fn::GetStackOutput': { StackName: 'Data', OutputName: 'QueueArn', Region: 'eu-west-2' } }, 'in-region'],
    ['an output of a stack elsewhere', { 'Fn::GetStackOutput': { StackName: 'Edge', OutputName: 'QueueArn', Region: 'us-east-1' } }, 'foreign'],
    ['an ARN elsewhere', 'arn:aws:sqs:eu-west-1:123456789012:q', 'foreign'],
    ['a parameter', { Ref: 'Destination' }, 'unproven'],
    ['an S3 ARN (no region)', 'arn:aws:s3:::bucket', 'unproven'],
  ])('%s', (_what, value, kind) => {
    expect(regionOfDestination(value, template).kind).toBe(kind);
  });
});

describe('denyPosition', () => {
  function positions(statement: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    walkText({ Statement: [statement] }, template, (text: string, path: ValuePath, ancestors: readonly unknown[]) => {
      if (findRegionNames(text).length > 0) out[`${path.join('.')}`] = denyPosition(path, ancestors);
    });
    return out;
  }

  test('a positive condition of a Deny is restrictive; a negated one exempts', () => {
    expect(positions({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } })).toEqual({
      'Statement.0.Condition.StringEquals.aws:RequestedRegion': 'restrictive',
    });
    expect(
      positions({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-2', 'us-east-1'] } } }),
    ).toEqual({
      'Statement.0.Condition.StringNotEquals.aws:RequestedRegion.0': 'exempting',
      'Statement.0.Condition.StringNotEquals.aws:RequestedRegion.1': 'exempting',
    });
  });

  test('NotResource of a Deny exempts; an Allow is not a Deny', () => {
    expect(positions({ Effect: 'Deny', Action: '*', NotResource: 'arn:aws:s3:us-east-1:::x' })).toEqual({ 'Statement.0.NotResource': 'exempting' });
    expect(positions({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:sqs:us-east-1:1:q' })).toEqual({ 'Statement.0.Resource': 'none' });
  });
});
