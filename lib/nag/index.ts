import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { UkResidencyChecks, type ResidencyOptions } from '../residency';

export { acknowledgementsFor, type Acknowledgement } from './acknowledgements';

/**
 * Registers the rule packs on an app (or stage): AwsSolutions, HIPAA Security, NIST 800-53 R5 and the UK residency
 * pack. Any finding left unacknowledged then fails synthesis; `NhsLoginRelyingParty` places its own reviewed
 * acknowledgements, and residency findings can never be acknowledged.
 *
 * @param residency allowed regions and declared egress for the residency pack (@default this service's own: eu-west-2
 *   and the NHS login issuers)
 */
export function addGuardrails(scope: IConstruct, props?: NagPackProps, residency: ResidencyOptions = {}): void {
  Validations.of(scope).addPlugins(
    new AwsSolutionsChecks(scope, props),
    new HIPAASecurityChecks(scope, props),
    new NIST80053R5Checks(scope, props),
    // Residency findings are fatal and cannot be acknowledged.
    new UkResidencyChecks(scope, { ...props, ...residency }),
  );
}
