/** Placeholder until the sign-in runtime lands: answers 503 with a clear JSON error, never pretends to work. */
export const handler = async () => ({
  statusCode: 503,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify({ error: 'not_implemented', message: 'Sign-in is not available yet in this build.' }),
});
