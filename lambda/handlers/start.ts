import type { APIGatewayProxyResult } from 'aws-lambda';
import { startPage } from '../core/pages';
import { htmlResponse } from '../core/responses';
import { toProxyResult } from './http';

/** `GET /`: the public start page, with the way to sign in; needs nothing from the environment. */
export function makeHandler() {
  return async (): Promise<APIGatewayProxyResult> => toProxyResult(htmlResponse(200, startPage()));
}

export const handler = makeHandler();
