import { DEFAULT_VTR, InvalidVtrError, parseVtr, selectVot } from '../../local/nhs-login-sim/vectors';

describe('parseVtr', () => {
  it("defaults to NHS login's P9 vectors when vtr is absent", () => {
    expect(parseVtr(undefined)).toEqual(['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm']);
    expect(parseVtr('')).toEqual([...DEFAULT_VTR]);
  });

  it('accepts a JSON array of known vectors', () => {
    expect(parseVtr('["P5.Cp.Cd","P9.Cm"]')).toEqual(['P5.Cp.Cd', 'P9.Cm']);
  });

  it.each([
    ['not JSON', 'P9.Cp.Cd'],
    ['not an array', '"P9.Cp.Cd"'],
    ['an empty array', '[]'],
    ['non-strings', '[9]'],
    ['P9 without a second factor', '["P9.Cp"]'],
    ['an unknown level', '["P7.Cp.Cd"]'],
    ['one bad vector among good ones', '["P9.Cp.Cd","P9.Cx"]'],
  ])('refuses %s', (_name, raw) => {
    expect(() => parseVtr(raw)).toThrow(InvalidVtrError);
  });
});

describe('selectVot', () => {
  it('gives the strongest requested vector the level reaches', () => {
    expect(selectVot(['P5.Cp.Cd', 'P9.Cp.Cd'], 'P9')).toBe('P9.Cp.Cd');
    expect(selectVot(['P5.Cp.Cd', 'P9.Cp.Cd'], 'P5')).toBe('P5.Cp.Cd');
    expect(selectVot(['P5.Cp', 'P5.Cp.Cd'], 'P9')).toBe('P5.Cp.Cd');
  });

  it('never issues Ck or Cm vectors: the simulated sign-in is password and one-time code', () => {
    expect(selectVot(['P9.Cp.Ck', 'P9.Cm'], 'P9')).toBeUndefined();
    expect(selectVot([...DEFAULT_VTR], 'P9')).toBe('P9.Cp.Cd');
  });

  it('finds nothing for a level below every requested vector', () => {
    expect(selectVot([...DEFAULT_VTR], 'P5')).toBeUndefined();
    expect(selectVot(['P5.Cp.Cd'], 'P0')).toBeUndefined();
    expect(selectVot(['P0.Cp.Cd'], 'P0')).toBe('P0.Cp.Cd');
  });
});
