import { SinkLogger } from '../../../lambda/adapters/logger';
import { redactText } from '../../../lambda/core/redaction';

const JWT = 'eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('log redaction', () => {
  function capture(): { lines: string[]; logger: SinkLogger } {
    const lines: string[] = [];
    return { lines, logger: SinkLogger.create((l) => lines.push(l)) };
  }

  it('redacts sensitive keys wherever they appear', () => {
    const { lines, logger } = capture();
    logger.info('x', {
      code: 'AUTHCODE123',
      state: 'STATEVALUE',
      nested: { codeVerifier: 'VERIFIER', access_token: 'AT', Authorization: 'Bearer AT2', cookie: '__Host-session=SID' },
      nhs_number: '9990000018',
      headers: { Cookie: 'SID2' },
    });
    const out = lines.join('\n');
    for (const secret of ['AUTHCODE123', 'STATEVALUE', 'VERIFIER', '"AT"', 'AT2', 'SID', '9990000018']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('scrubs JWTs, protocol query values, our cookies and NHS numbers out of free text', () => {
    const text = redactText(`GET /auth/callback?code=abc&state=def token ${JWT} __Host-session=xyz; nhs 999 000 0018 and 9990000026`);
    expect(text).not.toMatch(/abc|def|xyz|0018|0026/);
    expect(text).not.toContain(JWT);
  });

  it('reduces error causes to name and code (libraries put claims and bodies there)', () => {
    const { lines, logger } = capture();
    const cause = Object.assign(new TypeError('inner'), { code: 'OAUTH_X', claims: { nhs_number: '9990000018', family_name: 'MILLAR' } });
    logger.error('failed', { error: new Error('outer', { cause }) });
    logger.error('failed', { error: new Error('outer', { cause: { body: { family_name: 'MILLAR' } } }) });
    const out = lines.join('\n');
    expect(out).not.toContain('MILLAR');
    expect(out).not.toContain('9990000018');
    expect(out).toContain('"cause":{"name":"TypeError","errorCode":"OAUTH_X"}');
  });

  it('leaves reason codes and safe facts alone', () => {
    const { lines, logger } = capture();
    logger.warn('Request failed', { reason: 'state_mismatch', status: 400, route: 'GET /auth/callback' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ reason: 'state_mismatch', status: 400, route: 'GET /auth/callback', level: 'WARN' });
  });
});

describe('support references and NHS numbers', () => {
  function capture(): { lines: string[]; logger: SinkLogger } {
    const lines: string[] = [];
    return { lines, logger: SinkLogger.create((l) => lines.push(l)) };
  }

  /** Request ids as API Gateway and Lambda make them, each with a run of ten digits an NHS-number rule could match. */
  const REFERENCES = [
    '3f2b1c4d-1a2b-4c3d-8e9f-4567890123ab',
    '12345678-1234-4234-9234-123456789012',
    'abcdef01-2345-6789-0123-4567890123cd',
    '9990000018-0000-4000-8000-000000000000',
  ];

  it.each(REFERENCES)('keeps the reference %s whole, so the one on the page is found in the logs', (reference) => {
    const { lines, logger } = capture();
    const ids = { reference, requestId: reference, awsRequestId: reference, function_request_id: reference, xray_trace_id: `1-${reference}` };
    logger.warn('Request failed', { reason: 'state_mismatch', ...ids });
    expect(JSON.parse(lines[0]!)).toMatchObject(ids);
  });

  it.each([
    'request 3f2b1c4d-1a2b-4c3d-8e9f-4567890123ab failed',
    'trace 1-67a1b2c3-4567890123abcdef01234567',
    'hex deadbeef9990000018cafe',
    'digits 123999000001845 in a longer run',
    'id 0x9990000018ab',
  ])('does not redact ten digits inside a UUID or a longer digit or hex run: %j', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it.each([
    ['9990000018', '[redacted-number]'],
    ['999 000 0018', '[redacted-number]'],
    ['999-000-0018', '[redacted-number]'],
    ['NHS number: 9990000018.', 'NHS number: [redacted-number].'],
    ['nhs=9990000018&x=1', 'nhs=[redacted-number]&x=1'],
    ['"9990000018"', '"[redacted-number]"'],
    ['(999 000 0018)', '([redacted-number])'],
    ['user 9990000018, next 9990000026', 'user [redacted-number], next [redacted-number]'],
    ['number:9990000018\n', 'number:[redacted-number]\n'],
  ])('still redacts the NHS number in %j', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('redacts NHS numbers under keys that are not known ids, and in a reference that is not id-shaped', () => {
    const { lines, logger } = capture();
    logger.info('x', { note: 'patient 999 000 0018', detail: { text: 'nhs 9990000018' }, reference: 'see 9990000018 here' });
    const out = lines.join('\n');
    expect(out).not.toContain('0018');
  });
});
