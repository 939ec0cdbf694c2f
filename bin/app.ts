#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { DEFAULT_STAGE, DEPLOYABLE_STAGES, loadStageConfig } from '../config';
import { addGuardrails, NhsLoginRelyingParty, writeResidencyReport } from '../lib';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);
if (!(DEPLOYABLE_STAGES as readonly string[]).includes(stage)) {
  throw new Error(`-c stage=${stage}: deployable stages are ${DEPLOYABLE_STAGES.join(', ')} (the local stage runs with npm run local)`);
}
new NhsLoginRelyingParty(app, `NhsLoginRp-${stage}`, { config: loadStageConfig(stage) });
addGuardrails(app);
// Evidence for reviewers on every synth: cdk.out/residency-report.md (and .json).
const report = writeResidencyReport(app.synth().directory);
if (!report.passed) process.exitCode = 1;
