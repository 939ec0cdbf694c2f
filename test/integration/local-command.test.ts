import { freePort } from '../../local/moto';
import { startSecondProvider, SECOND_ACCOUNT, type SecondProvider } from '../support/second-provider';
import { runLocalCommand, type LocalCommand } from './local-command-process';
import { Browser } from './support/harness';

/**
 * The `npm run local` contract: `PORT` and `NHS_LOGIN_SIM_AUTO_USER=p9` let a script follow the redirects to a
 * signed-in session and on to the mounted demo backend; the URLs are printed; Ctrl-C (SIGINT) stops moto, the
 * simulator and the demo backend too. With `NHS_LOGIN_ISSUER` and `NHS_LOGIN_CLIENT_ID` it starts no simulator and
 * prints what to register with that provider instead.
 */
const commands: LocalCommand[] = [];
let provider: SecondProvider | undefined;
afterAll(async () => {
  for (const command of commands) await command.kill();
  await provider?.stop();
});

/** Starts the command and waits for its banner. */
async function started(env: Record<string, string>): Promise<LocalCommand> {
  const command = runLocalCommand(env);
  commands.push(command);
  await command.waitFor('Press Ctrl-C');
  return command;
}

/** SIGINT, exit code 0, and nothing listening any more on any of `urls`. */
async function stopsEverything(command: LocalCommand, urls: string[]): Promise<void> {
  command.child.kill('SIGINT');
  expect(await command.exited).toBe(0);
  for (const url of urls) await expect(fetch(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
}

const printed = (output: string, label: RegExp) => label.exec(output)![1]!;

it('starts, signs a script in with NHS_LOGIN_SIM_AUTO_USER=p9, and stops everything on SIGINT', async () => {
  const port = await freePort();
  const command = await started({ PORT: String(port), NHS_LOGIN_SIM_AUTO_USER: 'p9' });
  const output = command.output();
  expect(output).toContain(`http://localhost:${port}/`);
  const moto = printed(output, /moto \(KMS, DynamoDB\): (http:\/\/127\.0\.0\.1:\d+)/);
  const issuer = printed(output, /NHS login simulator:\s+(http:\/\/127\.0\.0\.1:\d+)/);
  const demo = printed(output, /Demo backend:\s+(http:\/\/127\.0\.0\.1:\d+)/);
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
  expect([...secrets].filter((s) => command.output().includes(s))).toEqual([]);

  await stopsEverything(command, [`${moto}/moto-api/`, `${issuer}/.well-known/openid-configuration`, `${demo}/`, `http://127.0.0.1:${port}/`]);
});

it('with NHS_LOGIN_ISSUER and NHS_LOGIN_CLIENT_ID: no simulator, prints the PEM and redirect URI to register, then signs in there', async () => {
  provider = await startSecondProvider();
  const port = await freePort();
  const command = await started({ PORT: String(port), NHS_LOGIN_ISSUER: provider.issuer, NHS_LOGIN_CLIENT_ID: 'rp-from-the-command' });
  const output = command.output();
  expect(output).not.toContain('NHS login simulator');
  expect(output).not.toContain('[nhs-login-sim]');
  expect(output).toContain(`OpenID provider:      ${provider.issuer}/.well-known/openid-configuration`);
  expect(printed(output, /client ID:\s+(\S+)/)).toBe('rp-from-the-command');
  const redirectUri = printed(output, /redirect URI:\s+(\S+)/);
  expect(redirectUri).toBe(`http://localhost:${port}/auth/callback`);
  expect(printed(output, /vtm = (\S+)/)).toBe(`${provider.issuer}/trustmark/${new URL(provider.issuer).host}`);
  const publicKeyPem = printed(output, /(-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----)/);
  const moto = printed(output, /moto \(KMS, DynamoDB\): (http:\/\/127\.0\.0\.1:\d+)/);

  // What a person does at their provider with what was printed; then a script signs in.
  await provider.register({ clientId: 'rp-from-the-command', redirectUri, publicKeyPem: `${publicKeyPem}\n` });
  const secrets = new Set<string>([SECOND_ACCOUNT.email]);
  const b = new Browser(port, secrets);
  const page = await b.follow('/auth/login?assurance=high&returnTo=/api/me');
  expect(page.status).toBe(200);
  expect(JSON.parse(page.body)).toMatchObject({ sub: SECOND_ACCOUNT.sub, vot: 'P9.Cp.Ck', claims: { email: SECOND_ACCOUNT.email } });
  expect([...secrets].filter((s) => command.output().includes(s))).toEqual([]);

  await stopsEverything(command, [`${moto}/moto-api/`, `http://127.0.0.1:${port}/`]);
  // The provider is the caller's own: the command leaves it running.
  expect((await fetch(`${provider.issuer}/.well-known/openid-configuration`)).status).toBe(200);
});
