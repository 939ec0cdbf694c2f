import { loadStageConfig } from '../../config';
import { NHS_LOGIN_ISSUERS, NHS_LOGIN_SETTINGS_URLS } from '../../config/schema';
import { nhsLoginSettingsUrlFor, runtimeSettingsFor } from '../../lib/runtime-settings';
import { toFunctionEnvironment } from '../../lambda/settings';

/** "Manage your NHS login" goes to the settings page of the NHS login environment the stage signs in with. */
const resources = { sessionTableName: 't', signingKeyId: 's', assertionKeyId: 'a' };

describe('the NHS login settings page of each stage', () => {
  it.each([
    ['sandpit', 'https://settings.sandpit.signin.nhs.uk'],
    ['integration', 'https://settings.aos.signin.nhs.uk'],
    ['production', 'https://settings.login.nhs.uk'],
  ])('%s: %s, in the functions environment as NHS_LOGIN_SETTINGS_URL', (stage, url) => {
    const config = loadStageConfig(stage);
    expect(nhsLoginSettingsUrlFor(config)).toBe(url);
    expect(toFunctionEnvironment(runtimeSettingsFor(config, resources)).NHS_LOGIN_SETTINGS_URL).toBe(url);
  });

  it('follows the issuer, not the stage name: a local stage signing in with sandpit gets sandpit settings', () => {
    const local = loadStageConfig('local');
    const withSandpit = { ...local, nhsLogin: { ...local.nhsLogin, issuer: NHS_LOGIN_ISSUERS.sandpit } };
    expect(nhsLoginSettingsUrlFor(withSandpit)).toBe(NHS_LOGIN_SETTINGS_URLS.sandpit);
  });

  it("the local stage's simulator: <issuer>/settings, unless the local stack names another", () => {
    const local = loadStageConfig('local');
    expect(nhsLoginSettingsUrlFor(local)).toBe(`${local.nhsLogin.issuer}/settings`);
    expect(runtimeSettingsFor(local, { ...resources, nhsLoginSettingsUrl: 'http://127.0.0.1:1/x' }).nhsLoginSettingsUrl).toBe('http://127.0.0.1:1/x');
  });

  it('has one settings page per NHS login environment', () => {
    expect(Object.keys(NHS_LOGIN_SETTINGS_URLS).sort()).toEqual(Object.keys(NHS_LOGIN_ISSUERS).sort());
    for (const url of Object.values(NHS_LOGIN_SETTINGS_URLS)) expect(new URL(url).protocol).toBe('https:');
  });
});
