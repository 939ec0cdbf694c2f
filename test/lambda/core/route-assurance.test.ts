import { requirementFor } from '../../../lambda/core/route-assurance';
import type { ProtectedRoute } from '../../../lambda/settings';
import { settings as stage } from '../../support/flow-fakes';

const records: ProtectedRoute = { kind: 'api', assurance: 'standard', methods: { POST: 'high' }, audience: 'https://rp.example/api/records' };
const app: ProtectedRoute = { kind: 'page', assurance: 'standard', methods: {} };
const settings = { ...stage, protectedRoutes: { '/api/records': records, '/api/records/{proxy+}': records, '/app/{proxy+}': app } };

describe('requirementFor', () => {
  it.each([
    ['GET', '/api/records/{proxy+}', 'standard'],
    ['POST', '/api/records/{proxy+}', 'high'],
    ['post', '/api/records', 'high'],
    ['DELETE', '/api/records', 'standard'],
    ['GET', '/app/{proxy+}', 'standard'],
  ])('%s %s needs %s', (method, resource, profile) => {
    expect(requirementFor(settings, method, resource)?.profile).toBe(profile);
  });

  it('returns the route itself, so the caller knows page from api and the audience', () => {
    expect(requirementFor(settings, 'GET', '/api/records')?.route).toBe(records);
    expect(requirementFor(settings, 'GET', '/app/{proxy+}')?.route.kind).toBe('page');
  });

  it.each([
    ['a raw path instead of the resource', '/api/records/x'],
    ['a doubled slash', '/api/records//x'],
    ['an encoded path', '/api/records/%78'],
    ['a trailing slash', '/api/records/'],
    ['an unknown resource', '/admin'],
    ['an inherited property name', 'constructor'],
    ['another inherited name', '__proto__'],
  ])('gives no rule for %s (the authorizer refuses it)', (_what, resource) => {
    expect(requirementFor(settings, 'GET', resource)).toBeUndefined();
  });

  it('never takes a per-method entry from the prototype', () => {
    expect(requirementFor(settings, 'toString', '/api/records')?.profile).toBe('standard');
  });
});
