/**
 * `check:residency --format sarif` writes a SARIF 2.1.0 log that validates against the SARIF 2.1.0 JSON schema
 * (the OASIS committee specification's `sarif-schema-2.1.0.json`, copied into test/fixtures/residency/sarif/ so the
 * test needs no network), with one result per finding naming its
 * rule, message, template file and logical location (stack and logical id), and every rule in tool.driver.rules.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ALL_RULES } from '../../lib/residency/rules';
import { scanResidency } from '../../lib/residency/scanner';
import { toSarif } from '../../lib/residency/sarif';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'residency');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as object;

function validator() {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  return ajv.compile(SCHEMA);
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } };
        logicalLocations: { name: string; fullyQualifiedName: string }[];
      }[];
    }[];
  }[];
}

test('the command prints a SARIF 2.1.0 log that validates against the schema', () => {
  const r = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'bin', 'check-residency.ts'), '--format', 'sarif', path.join(FIXTURES, 'assemblies', 'nested-leak')],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  expect(r.status).toBe(1);
  const log = JSON.parse(r.stdout) as SarifLog;
  const validate = validator();
  expect(validate(log) ? [] : validate.errors).toEqual([]);
  const [run] = log.runs;
  expect(run?.tool.driver.rules.map((x) => x.id)).toEqual(ALL_RULES.map((x) => x.id));
  expect(run?.results).toHaveLength(2);
  const [first] = run?.results ?? [];
  expect(first).toEqual(
    expect.objectContaining({
      ruleId: 'UkResidency-DataDestinations',
      message: { text: expect.stringContaining('destination in eu-central-1') },
    }),
  );
  expect(run?.tool.driver.rules[first?.ruleIndex ?? -1]?.id).toBe('UkResidency-DataDestinations');
  expect(first?.locations[0]?.physicalLocation.artifactLocation).toEqual({
    uri: 'test/fixtures/residency/assemblies/nested-leak/MainInnerNestedStack.nested.template.json',
    uriBaseId: 'SRCROOT',
  });
  expect(first?.locations[0]?.logicalLocations[0]).toEqual(expect.objectContaining({ name: 'Forward', fullyQualifiedName: 'Main/Forward' }));
});

test('a clean scan is a valid log with no results; a template outside the base directory gets a file URI', () => {
  const validate = validator();
  const clean = toSarif(scanResidency(path.join(FIXTURES, 'assemblies', 'clean')), ROOT);
  expect(validate(clean) ? [] : validate.errors).toEqual([]);
  expect((clean as unknown as SarifLog).runs[0]?.results).toEqual([]);
  const lone = toSarif(scanResidency(path.join(FIXTURES, 'UkResidency-GlobalDns', 'fail-dnssec.json')), path.join(ROOT, 'lib')) as unknown as SarifLog;
  expect(validate(lone) ? [] : validate.errors).toEqual([]);
  expect(lone.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/.*fail-dnssec\.json$/);
});

test('the schema is not a formality: a log without its version fails it', () => {
  const validate = validator();
  const { version: _dropped, ...withoutVersion } = toSarif(scanResidency(path.join(FIXTURES, 'assemblies', 'clean')), ROOT);
  expect(validate(withoutVersion)).toBe(false);
});
