import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isNhsAppUserAgent } from '../core/nhs-app';
import { failurePage, signedOutPage, timedOutPage } from '../core/pages';
import { htmlResponse } from '../core/responses';
import { findRpError } from '../core/errors';
import { validateReturnTo } from '../core/return-to';
import { lowerHeaders, queryPairs, singleQuery, toProxyResult } from './http';

/** The route of the timed-out page (same function: both pages end a session and need nothing else). */
export const TIMED_OUT_PATH = '/auth/timed-out';

/**
 * `GET /auth/signed-out`, and `GET /auth/timed-out?returnTo=<path>` (a session ended by idle or absolute timeout:
 * "Sign in again" comes back to `returnTo`, validated as the sign-in validates it). Plain pages; they need nothing
 * from the environment.
 */
export function makeHandler() {
  return async (event?: Partial<APIGatewayProxyEvent>): Promise<APIGatewayProxyResult> => {
    const options = { nhsApp: isNhsAppUserAgent(lowerHeaders(event?.headers, event?.multiValueHeaders)['user-agent']) };
    if (event?.resource !== TIMED_OUT_PATH) return toProxyResult(htmlResponse(200, signedOutPage(options)));
    try {
      const returnTo = singleQuery(queryPairs({ queryStringParameters: null, multiValueQueryStringParameters: null, ...event }), 'returnTo');
      if (returnTo === null) throw new Error('repeated returnTo');
      return toProxyResult(htmlResponse(200, timedOutPage(validateReturnTo(returnTo), options)));
    } catch (err) {
      // A returnTo that could not be followed: the bad link page (400), as the sign-in answers it.
      return toProxyResult(htmlResponse(findRpError(err)?.status ?? 400, failurePage('bad-request', options)));
    }
  };
}

export const handler = makeHandler();
