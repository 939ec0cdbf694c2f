import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { RelyingParty } from '../relying-party';
import { UkResidencyChecks } from '../residency';
import { acknowledgeFindings } from './acknowledgements';

/**
 * Registers the rule packs on the app and the reviewed acknowledgements on the exact constructs they cover.
 * Any finding left unacknowledged fails synthesis.
 */
export function applyGuardrails(app: App, rp: RelyingParty): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    // Residency findings are fatal and cannot be acknowledged.
    new UkResidencyChecks(app),
  );
  acknowledgeFindings(rp);
}
