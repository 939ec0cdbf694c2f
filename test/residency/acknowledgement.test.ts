/**
 * Residency findings cannot be acknowledged away. The pack runs inside CDK's validation (registered with
 * `Validations.of(app).addPlugins`), every finding is `fatal` (which CDK never suppresses), and an
 * acknowledgement of a residency rule is itself a finding. A control plugin shows that the same acknowledgements
 * do silence an ordinary finding, so the test would notice if residency findings became suppressible.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  RemovalPolicy,
  Stack,
  Validations,
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { UkResidencyChecks } from '../../lib/residency/nag-pack';
import { HOME, newApp } from '../fixtures/residency/cdk/apps';

let outdir: string;
let n = 0;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'residency-ack-'));
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** A plugin that always reports one non-fatal finding on the first table: the control. */
class ControlPlugin implements IPolicyValidationPlugin {
  public readonly name = 'Control';
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const table = context.appConstruct.node.findAll().find((c) => c.node.id === 'Sessions')?.node.defaultChild;
    return {
      success: false,
      violations: [
        {
          ruleName: 'Control-Rule',
          description: 'control finding',
          severity: 'error',
          violatingResources: [{ constructPath: table!.node.path, locations: ['Properties'] }],
        },
      ],
    };
  }
}

function appWith(leak: boolean): { app: App; table: dynamodb.TableV2; stack: Stack } {
  const app = newApp(path.join(outdir, `app${n++}`));
  const stack = new Stack(app, 'Service', { env: HOME });
  const table = new dynamodb.TableV2(stack, 'Sessions', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    replicas: leak ? [{ region: 'us-east-1' }] : [],
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  return { app, table, stack };
}

function synthError(app: App): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test('a compliant app synthesizes with the pack registered', () => {
  const { app } = appWith(false);
  Validations.of(app).addPlugins(new UkResidencyChecks(app));
  expect(synthError(app)).toBe('');
});

test('a leak fails synthesis at the construct that caused it', () => {
  const { app } = appWith(true);
  Validations.of(app).addPlugins(new UkResidencyChecks(app));
  const message = synthError(app);
  expect(message).toContain('UkResidency-DynamoDbReplication');
  expect(message).toContain('Service/Sessions/Resource');
  expect(message).toContain('global table replica in us-east-1');
});

test('acknowledging the finding, in every form CDK and cdk-nag accept, does not make the leak pass', () => {
  const { app, table, stack } = appWith(true);
  Validations.of(app).addPlugins(new UkResidencyChecks(app), new ControlPlugin());
  const reason = 'Disaster recovery copy in the US.';
  for (const id of ['UkResidency-DynamoDbReplication', 'UkResidency::UkResidency-DynamoDbReplication', 'Control::Control-Rule']) {
    Validations.of(table).acknowledge({ id, reason });
  }
  Validations.of(stack).acknowledge({ id: 'UkResidency-DynamoDbReplication[Replicas]', reason });

  const message = synthError(app);
  expect(message).toContain('UkResidency-DynamoDbReplication');
  expect(message).toContain('global table replica in us-east-1');
  expect(message).toContain('UkResidency-AcknowledgementRefused');
  expect(message).toContain('acknowledgement of UkResidency::UkResidency-DynamoDbReplication refused');

  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: { ruleName: string }[]; suppressedViolations?: { ruleName: string }[] }[];
  };
  const residency = report.pluginReports.find((r) => r.pluginName === 'UkResidency');
  expect(residency?.violations.map((v) => v.ruleName)).toEqual(
    expect.arrayContaining(['UkResidency-DynamoDbReplication', 'UkResidency-AcknowledgementRefused']),
  );
  expect(residency?.suppressedViolations ?? []).toEqual([]);
  // The control: the same mechanism did silence the ordinary finding.
  const control = report.pluginReports.find((r) => r.pluginName === 'Control');
  expect(control?.violations ?? []).toEqual([]);
  expect(control?.suppressedViolations?.map((v) => v.ruleName)).toEqual(['Control-Rule']);
});

test('an acknowledgement of a residency rule fails synthesis even where nothing leaks', () => {
  const { app, stack } = appWith(false);
  Validations.of(app).addPlugins(new UkResidencyChecks(app));
  Validations.of(stack).acknowledge({ id: 'UkResidency-RegionNames', reason: 'pre-emptive' });
  const message = synthError(app);
  expect(message).toContain('UkResidency-AcknowledgementRefused');
  expect(message).toContain('Service');
});
