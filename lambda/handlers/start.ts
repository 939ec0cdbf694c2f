import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isNhsAppUserAgent } from '../core/nhs-app';
import { startPage } from '../core/pages';
import { htmlResponse } from '../core/responses';
import { lowerHeaders, toProxyResult } from './http';

/** `GET /`: the public start page, with the way to sign in; needs nothing from the environment. */
export function makeHandler() {
  return async (event?: Partial<APIGatewayProxyEvent>): Promise<APIGatewayProxyResult> =>
    toProxyResult(htmlResponse(200, startPage({ nhsApp: isNhsAppUserAgent(lowerHeaders(event?.headers, event?.multiValueHeaders)['user-agent']) })));
}

export const handler = makeHandler();
