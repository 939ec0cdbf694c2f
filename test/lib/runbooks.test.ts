import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { production } from '../../config/stages/production';
import { alarmDescription, PROCEDURES, RUNBOOKS, runbookFor, runbookNamedIn, runbookPath } from '../../lib/runbooks';
import { synthStage } from '../support/synth';

const root = path.join(__dirname, '..', '..');

/** Every alarm of a template whose description names no runbook page, or one that does not exist. */
function alarmsWithoutRunbook(template: Template): string[] {
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  return Object.entries(alarms)
    .filter(([, a]) => {
      const name = runbookNamedIn(String(a.Properties?.AlarmDescription ?? ''));
      return !name || !existsSync(path.join(root, 'docs', 'runbooks', `${name}.md`));
    })
    .map(([id]) => id);
}

describe('runbooks', () => {
  const stage = synthStage('production');
  const templates = [stage.stateful, stage.stateless];

  it('every alarm of a production synth names an existing runbook page in its description', () => {
    const alarms = templates.flatMap((t) => Object.keys(t.findResources('AWS::CloudWatch::Alarm')));
    expect(alarms.length).toBeGreaterThan(40);
    for (const t of templates) expect(alarmsWithoutRunbook(t)).toEqual([]);
  });

  it('fails for an alarm without one (the check really looks)', () => {
    const json = stage.stateless.toJSON();
    const [id] = Object.keys(stage.stateless.findResources('AWS::CloudWatch::Alarm'));
    const { Template } = jest.requireActual('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
    const without = structuredClone(json);
    without.Resources[id].Properties.AlarmDescription = 'Something broke';
    expect(alarmsWithoutRunbook(Template.fromJSON(without))).toEqual([id]);
    const missingPage = structuredClone(json);
    missingPage.Resources[id].Properties.AlarmDescription = 'Something broke. Runbook: docs/runbooks/no-such-page.md';
    expect(alarmsWithoutRunbook(Template.fromJSON(missingPage))).toEqual([id]);
  });

  it('every runbook page exists, says what the alarm means, what to look at first, how to roll back and when to contact NHS login', () => {
    for (const name of RUNBOOKS) {
      const file = path.join(root, runbookPath(name));
      expect([name, existsSync(file)]).toEqual([name, true]);
      const text = readFileSync(file, 'utf8');
      for (const heading of ['## What it means', '## First three things to look at', '## How to roll back', '## When and how to contact NHS login']) {
        expect([name, text.includes(heading)]).toEqual([name, true]);
      }
      // A saved query to run, or (restores) AWS Backup's own job record.
      expect([name, /nhs-login-rp\/[a-z-]+|AWS Backup > Jobs/.test(text)]).toEqual([name, true]);
    }
    const index = readFileSync(path.join(root, 'docs', 'runbooks', 'README.md'), 'utf8');
    for (const name of RUNBOOKS) expect(index).toContain(`(${name}.md)`);
  });

  it('has the procedure for releasing a fix during an incident, in the index and linked from every alarm page', () => {
    const index = readFileSync(path.join(root, 'docs', 'runbooks', 'README.md'), 'utf8');
    for (const name of PROCEDURES) {
      expect(existsSync(path.join(root, 'docs', 'runbooks', `${name}.md`))).toBe(true);
      expect(index).toContain(`(${name}.md)`);
    }
    const text = readFileSync(path.join(root, 'docs', 'runbooks', 'releasing-during-an-incident.md'), 'utf8');
    expect(text).toContain('# Releasing a fix during an incident');
    expect(text).toMatch(/releases\.ignoreAlarms: true[\s\S]*back to `false`/);
    for (const name of RUNBOOKS)
      expect([name, readFileSync(path.join(root, runbookPath(name)), 'utf8').includes('(releasing-during-an-incident.md)')]).toEqual([name, true]);
  });

  it('names the runbook in the AWS Backup notifications, linked when a base URL is configured', () => {
    expect(runbookFor('restore-test')).toBe('docs/runbooks/restore-test.md');
    expect(runbookFor('restore-test', 'https://x.example')).toBe('docs/runbooks/restore-test.md (https://x.example/restore-test.md)');
    const rules = Object.values(stage.stateless.findResources('AWS::Events::Rule'));
    expect(rules.length).toBeGreaterThan(1);
    for (const r of rules) expect(r.Properties.Targets[0].InputTransformer.InputTemplate).toContain(`Runbook: ${runbookPath('restore-test')}`);
  });

  it('every page is used by an alarm (no stale runbook)', () => {
    const named = new Set(
      templates.flatMap((t) => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => runbookNamedIn(a.Properties.AlarmDescription))),
    );
    expect([...named].sort()).toEqual([...RUNBOOKS].sort());
  });

  it('links each description to the page when a base URL is configured', () => {
    const linked = synthStage({ ...production, monitoring: { runbookBaseUrl: 'https://git.example.nhs.uk/nhs-login-rp/blob/main/docs/runbooks' } });
    for (const a of Object.values(linked.stateless.findResources('AWS::CloudWatch::Alarm'))) {
      const name = runbookNamedIn(a.Properties.AlarmDescription);
      expect(a.Properties.AlarmDescription).toContain(`(https://git.example.nhs.uk/nhs-login-rp/blob/main/docs/runbooks/${name}.md)`);
    }
    expect(alarmDescription('x', 'restore-test')).toBe('x. Runbook: docs/runbooks/restore-test.md');
    expect(() => alarmDescription('x'.repeat(1100), 'restore-test')).toThrow(/1024 characters/);
  });
});
