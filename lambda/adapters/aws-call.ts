/**
 * The deadline of one AWS API call (DynamoDB, KMS), its retries included. The SDK's defaults wait at least five
 * minutes for an endpoint that accepts the connection and then does not answer (no request timeout, a 300 s socket
 * timeout), so a hung DynamoDB or KMS would hold a function until its Lambda timeout and end on API Gateway's generic
 * error, with no reason code logged. With a deadline the call fails as `DependencyUnavailableError`: the unavailable
 * page, or the authorizer failing closed, and the log line. Well inside the shortest function timeout (5 s).
 */
export const AWS_CALL_TIMEOUT_MS = 2000;

/** The `send` options that abort a call (and its retries) at its deadline. */
export const withDeadline = (timeoutMs: number): { abortSignal: AbortSignal } => ({ abortSignal: AbortSignal.timeout(timeoutMs) });
