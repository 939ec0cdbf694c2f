import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The placeholder to replace, in the support reference query, with the reference a user quotes. */
export const REFERENCE_PLACEHOLDER = 'REPLACE-WITH-REFERENCE';

export interface LogQueriesProps {
  /** Every function's log group. */
  readonly functionLogGroups: readonly logs.ILogGroup[];
  /** The authorizer's log group. */
  readonly authorizerLogGroup: logs.ILogGroup;
  /** The log groups of the functions that call NHS login (login, callback, logout, session, authorizer...). */
  readonly providerLogGroups: readonly logs.ILogGroup[];
}

/**
 * CloudWatch Logs Insights saved queries (Logs Insights > Saved queries, under `nhs-login-rp/`), the first thing
 * each runbook asks to run. They read the fields the handlers log (`event`, `reason`, `route`, `errorName`,
 * `upstreamStatus`, `providerError`, `reference`); none of them selects a token, cookie or NHS number, which are
 * never logged anyway.
 */
export class LogQueries extends Construct {
  readonly definitions: Record<'failedSignIns' | 'supportReference' | 'authorizerDenials' | 'providerErrors', logs.QueryDefinition>;

  constructor(scope: Construct, id: string, props: LogQueriesProps) {
    super(scope, id);
    const query = (id: string, name: string, logGroups: readonly logs.ILogGroup[], q: logs.QueryStringProps) =>
      new logs.QueryDefinition(this, id, { queryDefinitionName: `nhs-login-rp/${name}`, logGroups: [...logGroups], queryString: new logs.QueryString(q) });
    this.definitions = {
      failedSignIns: query('FailedSignIns', 'failed-sign-ins-by-reason', props.functionLogGroups, {
        filterStatements: ["event = 'request_failed'"],
        statsStatements: ['count(*) as failures by reason, route, status'],
        sort: 'failures desc',
      }),
      // The reference the error pages show is the Lambda request id of the failed request.
      supportReference: query('SupportReference', 'support-reference', props.functionLogGroups, {
        fields: ['@timestamp', '@log', 'level', 'message', 'event', 'route', 'reason', 'status', 'errorName', 'errorCode', 'upstreamStatus', '@message'],
        filterStatements: [
          `reference = '${REFERENCE_PLACEHOLDER}' or @requestId = '${REFERENCE_PLACEHOLDER}' or record.requestId = '${REFERENCE_PLACEHOLDER}'`,
        ],
        sort: '@timestamp asc',
        limit: 200,
      }),
      authorizerDenials: query('AuthorizerDenials', 'authorizer-denials', [props.authorizerLogGroup], {
        filterStatements: ["event in ['authorizer_denied', 'api_unauthorized', 'authorizer_failed']"],
        statsStatements: ['count(*) as requests by event, reason, route, bin(5m)'],
        sort: 'requests desc',
      }),
      providerErrors: query('ProviderErrors', 'provider-errors', props.providerLogGroups, {
        fields: ['@timestamp', 'route', 'reason', 'errorName', 'errorCode', 'upstreamStatus', 'providerError', 'reference'],
        filterStatements: ['ispresent(upstreamStatus) or ispresent(providerError) or reason like /^(discovery|jwks|token_endpoint|token_exchange|userinfo)_/'],
        sort: '@timestamp desc',
        limit: 200,
      }),
    };
  }
}
