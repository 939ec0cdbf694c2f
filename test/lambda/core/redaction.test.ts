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
