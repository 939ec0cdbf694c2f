import { ALLOWED } from '../regions';
import { denyTypes } from '../rule';

/**
 * Account-wide log policies and cross-account observability links export telemetry wholesale: account policies
 * apply subscription filters to every log group (including the ones holding personal data), and OAM links and
 * sinks share logs, metrics and traces with monitoring accounts in any region.
 */
export const TelemetryExport = denyTypes(
  {
    id: 'UkResidency-TelemetryExport',
    info: 'No account-level log policies, metric streams or CloudWatch cross-account observability links and sinks.',
    explanation:
      'An account policy subscribes every log group in the account to a destination this stack does not define; a ' +
      'metric stream and an observability link or sink share telemetry with other accounts and regions. None can ' +
      `be shown to keep logs (which record session events) in ${ALLOWED}.`,
  },
  {
    'AWS::Logs::AccountPolicy': 'it applies subscription and data-protection policies to every log group in the account',
    'AWS::CloudWatch::MetricStream': 'it streams metrics continuously to a delivery stream and onwards',
    'AWS::Oam::Link': 'it shares logs, metrics and traces with a monitoring account in any region',
    'AWS::Oam::Sink': 'it receives telemetry shared from other accounts and regions',
  },
);
