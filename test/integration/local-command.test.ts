import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, killTree } from '../../local/moto';
import { Browser } from './support/harness';

/**
 * The `npm run local` contract: `PORT` and `NHS_LOGIN_SIM_AUTO_USER=p9` let a script follow the redirects to a
 * signed-in session and on to the mounted demo backend; the URLs are printed; Ctrl-C (SIGINT) stops moto, the
 * simulator and the demo backend too.
 */
let child: ChildProcess | undefined;
afterAll(async () => {
  if (child) await killTree(child);
});

it('starts, signs a script in with NHS_LOGIN_SIM_AUTO_USER=p9, and stops everything on SIGINT', async () => {
  const port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    env: { ...process.env, PORT: String(port), NHS_LOGIN_SIM_AUTO_USER: 'p9' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const deadline = Date.now() + 45_000;
  while (!output.includes('Press Ctrl-C')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm run local did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(output).toContain(`http://localhost:${port}/`);
  const moto = /moto \(KMS, DynamoDB\): (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
  const issuer = /NHS login simulator:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
  const demo = /Demo backend:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
  for (const url of ['/auth/jwks.json', '/app ', '/api/demo ']) expect(output).toContain(`http://localhost:${port}${url}`);

  const secrets = new Set<string>(['9990000018', 'MILLAR']);
  const b = new Browser(port, secrets);
  const page = await b.follow('/auth/login?assurance=high&returnTo=/api/me');
  expect(page.status).toBe(200);
  expect(JSON.parse(page.body)).toMatchObject({ vot: 'P9.Cp.Cd', identityProofingLevel: 'P9' });
  // The same session reaches the demo backend through the API mount, with an assertion it could verify.
  const mounted = await b.request('/api/demo/hello');
  expect(mounted.status).toBe(200);
  expect(JSON.parse(mounted.body)).toMatchObject({ backend: 'demo', path: '/hello', verified: true });
  // What the command prints (the relying party's log lines among it) carries none of the values the browser saw.
  expect(secrets.size).toBeGreaterThan(4);
  expect([...secrets].filter((s) => output.includes(s))).toEqual([]);

  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  for (const url of [`${moto}/moto-api/`, `${issuer}/.well-known/openid-configuration`, `${demo}/`, `http://127.0.0.1:${port}/`]) {
    await expect(fetch(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }
});
