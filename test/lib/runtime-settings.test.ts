import { loadStageConfig, parseStageConfig } from '../../config';
import { sandpit } from '../../config/stages/sandpit';
import { protectedRoutesFor, runtimeSettingsFor, serviceOriginOf } from '../../lib/runtime-settings';

describe('protectedRoutesFor', () => {
  const config = loadStageConfig('sandpit');
  const routes = protectedRoutesFor(config);
  const origin = 'https://sandpit.signin.example.nhs.uk';

  it('keys every rule by the API Gateway resources a mount occupies, and leaves public mounts out', () => {
    expect(Object.keys(routes).sort()).toEqual(
      ['/api/me', '/api/appointments', '/api/appointments/{proxy+}', '/api/records', '/api/records/{proxy+}', '/app', '/app/{proxy+}'].sort(),
    );
  });

  it('carries kind, minimum, per-method minimums and, for HTTP and VPC-link targets only, the audience', () => {
    expect(routes['/app/{proxy+}']).toEqual({ kind: 'page', assurance: 'standard', methods: {}, audience: `${origin}/app` });
    expect(routes['/api/records']).toEqual({ kind: 'api', assurance: 'standard', methods: { POST: 'high' } });
    expect(routes['/api/appointments/{proxy+}']).toEqual({ kind: 'api', assurance: 'standard', methods: {}, audience: `${origin}/api/appointments` });
    expect(routes['/api/me']).toEqual({ kind: 'api', assurance: 'standard', methods: {} });
  });

  it('uses the default profile where a mount names none', () => {
    const high = parseStageConfig({ ...sandpit, nhsLogin: { ...sandpit.nhsLogin, defaultAssuranceProfile: 'high' } });
    expect(protectedRoutesFor(high)['/app']?.assurance).toBe('high');
  });

  it('puts the routes, start path and assertion settings into the runtime settings', () => {
    const settings = runtimeSettingsFor(config, { sessionTableName: 't', signingKeyId: 's', assertionKeyId: 'a' });
    expect(settings.protectedRoutes).toEqual(routes);
    expect(settings).toMatchObject({ startPath: '/', assertionKeyId: 'a', assertionLifetimeSeconds: 300 });
    expect(serviceOriginOf(config)).toBe(origin);
  });
});
