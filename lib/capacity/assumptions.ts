/**
 * What the capacity arithmetic assumes beyond the stage config and the published quotas, each with where it comes
 * from. Override the durations with `npm run capacity -- <stage> --duration-ms <function>=<ms>` once the deployed
 * functions' p99 durations are known (CloudWatch `Duration`, p99): they are the weakest numbers here.
 */
import type { FunctionName } from '../function-table';

export interface DurationAssumption {
  /** Warm duration of one invocation, planning figure (about p99), in milliseconds. */
  readonly ms: number;
  readonly origin: string;
}

/**
 * The bench (`npm run bench`, README "Performance") measures the handlers on loopback against moto and the NHS
 * login simulator; deployed, each DynamoDB or KMS call is a few milliseconds and each NHS login round trip is an
 * internet round trip, which no local figure shows. So: the bench's figure where the function does only local work
 * and AWS calls, and an explicit allowance for NHS login where it calls out.
 */
export const DURATIONS: { readonly [F in FunctionName]?: DurationAssumption } = {
  login: {
    ms: 100,
    origin:
      'bench (README "Performance"): a whole local sign-in spends about 20 ms at p50 beyond its unavoidable calls, for login and callback together; login adds one PutItem (about 6 ms alone on moto): 100 ms leaves room for Lambda and DynamoDB in eu-west-2',
  },
  callback: {
    ms: 1_500,
    origin:
      'assumed: NHS login token and userinfo round trips (and JWKS when its cache misses) at up to 400 ms each from eu-west-2, plus KMS Sign and 2-3 DynamoDB writes; the bench puts our own share at about 20 ms',
  },
  authorizer: {
    ms: 50,
    origin:
      'bench: warm authorizer p99 22 ms against moto, within 1 ms of a bare GetItem of the same item; 50 ms covers a GetItem in eu-west-2, the once-a-minute UpdateItem and an occasional KMS Sign',
  },
  me: {
    ms: 10,
    origin: 'no I/O: answers from the authorizer context, so Lambda invoke overhead dominates',
  },
};

/** How many calls of each of its table operations one invocation makes, where not one (lambda/core/flows/callback.ts). */
export const CALLS_PER_INVOCATION: { readonly [F in FunctionName]?: Readonly<Record<string, number>> } = {
  // Consumes the login transaction and, when the browser was signed in, deletes the session it replaces.
  callback: { 'dynamodb:DeleteItem': 2 },
};

/**
 * Request units per call. Reads are strongly consistent GetItems (the store always sets ConsistentRead) of items up
 * to 4 KB: 1 unit. Writes (PutItem, UpdateItem, DeleteItem) are charged on the item's size, 1 unit per 1 KB: a
 * session with its claims and a kept identity assertion or two stays under 3 KB, so 3 units.
 */
export const REQUEST_UNITS = { read: 1, write: 3 } as const;

/**
 * The two flows the capacity is stated for, as the functions each runs (a route function is one request through API
 * Gateway to its route; the authorizer runs inside the request it guards):
 * - a sign-in is `GET /auth/login` then `GET /auth/callback` (the browser's visit to NHS login in between does not
 *   touch this API);
 * - an API request is a request to a `session` route: `GET /api/me` runs the authorizer then `me`. (A request to a
 *   page or api mount runs the authorizer and then the partner's target: fewer of our functions, so `/api/me` is
 *   the bound for both, except the identity assertion's KMS Sign, stated on its own row.)
 */
export const FLOWS = {
  signIn: ['login', 'callback'],
  apiRequest: ['authorizer', 'me'],
} as const satisfies Record<string, readonly FunctionName[]>;
