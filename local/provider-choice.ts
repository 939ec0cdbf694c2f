import { SIM_USER_IDS, type SimUserId } from './nhs-login-sim';

/**
 * What `npm run local` is asked for by its environment, checked before anything starts: the front's port, and the
 * OpenID provider to sign in with, either the built-in NHS login simulator (optionally with a user signed in without
 * a page) or another provider configured like NHS login (`NHS_LOGIN_ISSUER` and `NHS_LOGIN_CLIENT_ID`, both or
 * neither). Pure: the environment in, the options or a `LocalUsageError` out. An empty variable counts as unset.
 */
export interface LocalCommandOptions {
  readonly port: number;
  readonly autoUser?: SimUserId;
  /** Another provider instead of the simulator. */
  readonly provider?: OtherProvider;
}

/** An OpenID provider other than the simulator: RS512 ID tokens, `private_key_jwt` (RS512), `vtr`/`vot`, `vtm`. */
export interface OtherProvider {
  /** Compared verbatim with the ID token's `iss`; discovery is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
}

/** A mistake in what `npm run local` was asked for (exit status 2, nothing started). */
export class LocalUsageError extends Error {
  override readonly name = 'LocalUsageError';
}

type Env = Readonly<Record<string, string | undefined>>;

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];
/** What a stage configuration accepts as `nhsLogin.clientId`. */
const CLIENT_ID = /^[A-Za-z0-9._-]{1,128}$/;

const set = (env: Env, name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);

export function localCommandOptions(env: Env): LocalCommandOptions {
  const rawPort = set(env, 'PORT');
  const port = rawPort === undefined ? 3000 : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LocalUsageError(`PORT must be a TCP port, got "${rawPort}"`);
  const provider = chooseProvider(env);
  const autoUser = set(env, 'NHS_LOGIN_SIM_AUTO_USER');
  if (autoUser === undefined) return { port, ...(provider ? { provider } : {}) };
  if (provider) {
    throw new LocalUsageError('NHS_LOGIN_SIM_AUTO_USER is for the built-in simulator, which does not start when NHS_LOGIN_ISSUER is set: unset one of them');
  }
  if (!(SIM_USER_IDS as readonly string[]).includes(autoUser)) {
    throw new LocalUsageError(`NHS_LOGIN_SIM_AUTO_USER must be one of ${SIM_USER_IDS.join(', ')}, got "${autoUser}"`);
  }
  return { port, autoUser: autoUser as SimUserId };
}

/** `NHS_LOGIN_ISSUER` and `NHS_LOGIN_CLIENT_ID` together name another provider; neither means the simulator. */
export function chooseProvider(env: Env): OtherProvider | undefined {
  const issuer = set(env, 'NHS_LOGIN_ISSUER');
  const clientId = set(env, 'NHS_LOGIN_CLIENT_ID');
  if (issuer === undefined && clientId === undefined) return undefined;
  if (issuer === undefined || clientId === undefined) {
    const [given, missing] = issuer === undefined ? ['NHS_LOGIN_CLIENT_ID', 'NHS_LOGIN_ISSUER'] : ['NHS_LOGIN_ISSUER', 'NHS_LOGIN_CLIENT_ID'];
    throw new LocalUsageError(
      `${given} is set but ${missing} is not: set both to sign in with another OpenID provider, or neither for the built-in NHS login simulator`,
    );
  }
  return checkOtherProvider({ issuer, clientId });
}

/**
 * The provider, if its issuer is an issuer identifier (OpenID Connect Discovery 1.0, section 2: a URL with no query
 * or fragment) the local stack may talk to: `https`, or `http` on this machine only, since client assertions, codes
 * and tokens would otherwise cross the network unencrypted.
 */
export function checkOtherProvider(provider: OtherProvider): OtherProvider {
  const { issuer, clientId } = provider;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new LocalUsageError(`NHS_LOGIN_ISSUER must be an absolute URL such as https://auth.example.org, got "${issuer}"`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.includes(url.hostname)) {
    throw new LocalUsageError(
      `NHS_LOGIN_ISSUER "${issuer}" is http:// on another machine (${url.hostname}): use its https:// issuer; plain http is refused except on 127.0.0.1 or localhost`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new LocalUsageError(`NHS_LOGIN_ISSUER must be an https:// URL (or http:// on 127.0.0.1 or localhost), got "${issuer}"`);
  }
  if (/[?#\s]/.test(issuer) || url.username !== '' || url.password !== '') {
    throw new LocalUsageError(`NHS_LOGIN_ISSUER must be the provider's issuer exactly, with no query, fragment, credentials or spaces, got "${issuer}"`);
  }
  if (!CLIENT_ID.test(clientId)) {
    throw new LocalUsageError(`NHS_LOGIN_CLIENT_ID must be letters, digits, ".", "_" or "-" (at most 128), got "${clientId}"`);
  }
  return { issuer, clientId };
}
