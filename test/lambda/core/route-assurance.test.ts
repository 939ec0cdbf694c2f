import { requiredProfileFor } from '../../../lambda/core/route-assurance';
import { settings as stage } from '../../support/flow-fakes';

// The lookup reads only the table and the default; the profile names need not exist.
const lookup = (table: Record<string, string>, request: string) => {
  const [method, path] = request.split(' ') as [string, string];
  return requiredProfileFor({ ...stage, apiRouteAssurance: table, defaultAssuranceProfile: 'default' }, method, path);
};

/** [what, the stage's table, `METHOD path` -> the profile it must get] */
const cases: Array<[string, Record<string, string>, Record<string, string>]> = [
  [
    'prefers method+path, then path, then the longest wildcard, then the default',
    { 'GET /api/me': 'high', '/api/records': 'high', '/api/*': 'standard', 'POST /api/admin/*': 'high', '/api/admin/*': 'standard' },
    { 'GET /api/me': 'high', 'POST /api/me': 'standard', 'GET /api/records': 'high', 'POST /api/admin/x': 'high', 'GET /api/admin/x': 'standard' },
  ],
  [
    'an exact method+path beats the bare path, whatever the key order',
    { '/api/me': 'path', 'GET /api/me': 'exact' },
    { 'GET /api/me': 'exact', 'DELETE /api/me': 'path' },
  ],
  ['an exact path beats any wildcard, even a method-specific one', { 'GET /api/*': 'w', 'GET /api/me/*': 'w2', '/api/me': 'path' }, { 'GET /api/me': 'path' }],
  [
    'the longest matching prefix wins, not the first listed',
    { '/api/*': 'short', '/api/records/*': 'long', '/api/records/2024/*': 'longest' },
    { 'GET /api/records/2024/x': 'longest', 'GET /api/records/x': 'long', 'GET /api/other': 'short' },
  ],
  ['a method-specific wildcard wins a tie (listed first)', { 'PUT /api/*': 'method', '/api/*': 'any' }, { 'PUT /api/x': 'method', 'GET /api/x': 'any' }],
  ['a method-specific wildcard wins a tie (listed last)', { '/api/*': 'any', 'PUT /api/*': 'method' }, { 'PUT /api/x': 'method', 'GET /api/x': 'any' }],
  [
    'the request method and the method of a wildcard key may be in any case',
    { 'post /api/*': 'lower', 'GET /api/x': 'upper' },
    { 'get /api/x': 'upper', 'POST /api/y': 'lower' },
  ],
  [
    'unlisted routes get the default: no prefix match, a key without /*, or another method',
    { '/api/records': 'high', 'POST /api/admin/*': 'high', '/api/admin': 'high' },
    { 'GET /api/records/1': 'default', 'GET /api/admin/x': 'default', 'GET /elsewhere': 'default' },
  ],
  ['an empty table gives every route the default', {}, { 'GET /api/me': 'default', 'POST /api/admin/x': 'default' }],
];

describe('requiredProfileFor', () => {
  it.each(cases)('%s', (_what, table, expected) => {
    const got = Object.fromEntries(Object.keys(expected).map((request) => [request, lookup(table, request)]));
    expect(got).toEqual(expected);
  });
});
