import type { APIGatewayProxyResult } from 'aws-lambda';
import { signedOutPage } from '../core/pages';
import { htmlResponse } from '../core/responses';
import { toProxyResult } from './http';

/** `GET /auth/signed-out`: a plain page; needs nothing from the environment. */
export function makeHandler() {
  return async (): Promise<APIGatewayProxyResult> => toProxyResult(htmlResponse(200, signedOutPage()));
}

export const handler = makeHandler();
