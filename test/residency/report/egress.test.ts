/**
 * Egress discovery: the report lists each NHS login issuer the functions are configured with, once, with every
 * function that calls it, so a reviewer sees all traffic leaving AWS.
 */
import type { TemplateUnit } from '../../../lib/residency/assembly';
import { collectEgress, ISSUER_VARIABLE } from '../../../lib/residency/report/egress';
import type { CfnResourceEntry } from '../../../lib/residency/template';

const fn = (issuer?: unknown): CfnResourceEntry => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Environment: { Variables: issuer === undefined ? { TABLE: 'sessions' } : { [ISSUER_VARIABLE]: issuer } } },
});
const templates: TemplateUnit[] = [
  {
    file: 'Api.template.json',
    env: {},
    template: {
      Resources: {
        Login: fn('https://auth.sandpit.signin.nhs.uk'),
        Metrics: fn(),
        Parameter: { Type: 'AWS::SSM::Parameter', Properties: { Environment: { Variables: { [ISSUER_VARIABLE]: 'https://ignored.example' } } } },
        Callback: fn({ 'Fn::Join': ['', ['https://auth.', 'sandpit.signin.nhs.uk']] }),
      },
    },
  },
  { file: 'Admin.template.json', env: {}, template: { Resources: { Broken: fn('not a url'), Session: fn('https://auth.sandpit.signin.nhs.uk') } } },
];
const egress = collectEgress(templates, (unit) => unit.file.replace('.template.json', ''));

test('one entry per issuer, in the order first seen, with every function that calls it', () => {
  expect(egress).toEqual([
    { url: 'https://auth.sandpit.signin.nhs.uk', host: 'auth.sandpit.signin.nhs.uk', functions: ['Login (Api)', 'Callback (Api)', 'Session (Admin)'] },
    { url: 'not a url', host: 'not a url', functions: ['Broken (Admin)'] },
  ]);
});

test('functions without the issuer variable, and other resource types, are no egress', () => {
  expect(egress.flatMap((e) => e.functions).some((f) => f.startsWith('Metrics') || f.startsWith('Parameter'))).toBe(false);
  expect(collectEgress([{ file: 'Empty.template.json', env: {}, template: { Resources: { Metrics: fn() } } }], () => 'Empty')).toEqual([]);
});
