/**
 * Every residency rule against its raw fixtures (test/fixtures/residency/<rule id>/): each `fail-*` fixture must
 * produce the findings listed in the rule's `expected.json`, and each `pass-*` fixture must produce no finding
 * from any rule, so passing fixtures double as false-alarm checks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_RULES } from '../../lib/residency/rules';
import { scanResidency } from '../../lib/residency/scanner';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'residency');

interface Expected {
  logicalId: string;
  path: string;
  region?: string;
}

const ruleDirs = fs.readdirSync(FIXTURES).filter((d) => d.startsWith('UkResidency-'));

describe('fixture coverage', () => {
  test.each(ALL_RULES.map((r) => r.id))('%s has at least one failing and one passing fixture', (id) => {
    expect(ruleDirs).toContain(id);
    const entries = fs.readdirSync(path.join(FIXTURES, id));
    expect(entries.filter((e) => e.startsWith('fail-')).length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.startsWith('pass-')).length).toBeGreaterThan(0);
  });

  test('every fixture directory belongs to a rule', () => {
    const ids = ALL_RULES.map((r) => r.id);
    for (const dir of ruleDirs) expect(ids).toContain(dir);
  });
});

describe.each(ruleDirs)('%s', (ruleId) => {
  const dir = path.join(FIXTURES, ruleId);
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expected[]>;
  const entries = fs.readdirSync(dir).filter((e) => e !== 'expected.json');

  const failing = entries.filter((e) => e.startsWith('fail-'));
  test.each(failing)('fails %s', (fixture) => {
    const want = expected[fixture];
    expect(want?.length).toBeGreaterThan(0);
    const findings = scanResidency(path.join(dir, fixture)).findings.filter((f) => f.ruleId === ruleId);
    for (const w of want ?? []) {
      expect(findings).toContainEqual(expect.objectContaining({ ruleId, logicalId: w.logicalId, path: w.path, ...(w.region ? { region: w.region } : {}) }));
    }
  });

  const passing = entries.filter((e) => e.startsWith('pass-'));
  test.each(passing)('passes %s', (fixture) => {
    expect(scanResidency(path.join(dir, fixture)).findings).toEqual([]);
  });
});
