#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { DEFAULT_STAGE, DEPLOYABLE_STAGES, loadStageConfig } from '../config';
import { applyGuardrails } from '../lib/nag';
import { writeResidencyReport } from '../lib/residency';
import { addRelyingParty } from '../lib/relying-party';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);
if (!(DEPLOYABLE_STAGES as readonly string[]).includes(stage)) {
  throw new Error(`-c stage=${stage}: deployable stages are ${DEPLOYABLE_STAGES.join(', ')} (the local stage runs with npm run local)`);
}
const rp = addRelyingParty(app, loadStageConfig(stage));
applyGuardrails(app, rp);
// Evidence for reviewers on every synth: cdk.out/residency-report.md (and .json).
const report = writeResidencyReport(app.synth().directory);
if (!report.passed) process.exitCode = 1;
