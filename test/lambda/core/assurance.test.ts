import { identityLevel, isRequestedVector, parseVector, resolveProfile, satisfiesProfile, toVtr } from '../../../lambda/core/assurance';
import { BadRequestError } from '../../../lambda/core/errors';

const P5 = ['P5.Cp.Cd', 'P5.Cp.Ck', 'P5.Cm'];
const P9 = ['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm'];

describe('vectors of trust', () => {
  it('parses identity level and components', () => {
    expect(parseVector('P9.Cp.Cd')).toEqual({ identity: 9, components: ['Cp', 'Cd'] });
    expect(identityLevel('P0.Cp')).toBe(0);
    expect(parseVector('P7.Cp')).toBeUndefined();
    expect(parseVector('P9')).toBeUndefined();
    expect(parseVector('Cl.Cm')).toBeUndefined();
  });

  it('orders P9 above P5 above P0', () => {
    expect(satisfiesProfile('P9.Cp.Cd', P5)).toBe(true);
    expect(satisfiesProfile('P9.Cm', P5)).toBe(true);
    expect(satisfiesProfile('P5.Cp.Cd', P5)).toBe(true);
    expect(satisfiesProfile('P5.Cp.Cd', P9)).toBe(false);
    expect(satisfiesProfile('P0.Cp.Cd', P5)).toBe(false);
  });

  it('requires every authentication component of some profile vector', () => {
    expect(satisfiesProfile('P9.Cp', P5)).toBe(false);
    expect(satisfiesProfile('P9.Cp.Cd', ['P5.Cm'])).toBe(false);
    expect(satisfiesProfile('garbage', P5)).toBe(false);
  });

  it('checks vot against the requested vectors exactly', () => {
    expect(isRequestedVector('P9.Cp.Cd', P9)).toBe(true);
    expect(isRequestedVector('P9.Cp.Cd', P5)).toBe(false);
    expect(isRequestedVector(undefined, P9)).toBe(false);
    expect(isRequestedVector(['P9.Cp.Cd'], P9)).toBe(false);
  });

  it('resolves profiles, refusing unknown names (including prototype keys)', () => {
    const profiles = { standard: P5, high: P9 };
    expect(resolveProfile(profiles, undefined, 'standard')).toEqual({ name: 'standard', vectors: P5 });
    expect(resolveProfile(profiles, 'high', 'standard').vectors).toBe(P9);
    for (const bad of ['unknown', 'constructor', '__proto__', 'toString']) {
      expect(() => resolveProfile(profiles, bad, 'standard')).toThrow(BadRequestError);
    }
  });

  it('serialises vtr as a JSON array', () => {
    expect(toVtr(P9)).toBe('["P9.Cp.Cd","P9.Cp.Ck","P9.Cm"]');
  });
});
