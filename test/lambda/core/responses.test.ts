import {
  BadRequestError,
  ConsentNotGivenError,
  CrossSiteRequestError,
  DependencyUnavailableError,
  LoginTransactionError,
  TokenExchangeError,
} from '../../../lambda/core/errors';
import { failurePage, NHS_111_ONLINE, NHS_APP_HOME, noConsentPage } from '../../../lambda/core/pages';
import { mapError, redirectResponse } from '../../../lambda/core/responses';

function accessible(html: string): void {
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(html).toContain('<html lang="en-GB">');
  expect(html).toMatch(/<title>[^<]+<\/title>/);
  expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
  expect(html).toContain('<main');
  // nhsuk-frontend's header and footer, and only scripts served by this origin (none inline).
  expect(html).toContain('class="nhsuk-header"');
  expect(html).toContain('class="nhsuk-footer"');
  for (const script of html.match(/<script[^>]*>/gi) ?? []) expect(script).toMatch(/ src="\/auth\/assets\/[a-z0-9.-]+\.js"/);
  expect(html).not.toMatch(/<script[^>]*>[^<]+<\/script>/i);
}

describe('pages', () => {
  it.each(['bad-request', 'sign-in-failed', 'no-consent', 'unavailable', 'forbidden', 'internal'] as const)('%s is an accessible page', (page) => {
    accessible(failurePage(page, { reference: 'ref-1' }));
  });

  it('no-consent page links to NHS 111 online, says 999, and only links back to the NHS App from the app', () => {
    const web = noConsentPage(false);
    expect(web).toContain(`href="${NHS_111_ONLINE}"`);
    expect(web).toContain('999');
    expect(web).not.toContain(NHS_APP_HOME);
    expect(noConsentPage(true)).toContain(`href="${NHS_APP_HOME}"`);
  });

  it.each(['bad-request', 'forbidden'] as const)("%s links to the configured start page (default '/'), escaped", (page) => {
    expect(failurePage(page)).toContain('<a href="/">Go to the start page</a>');
    expect(failurePage(page, { startPath: '/static/home?a=1&b="2"' })).toContain('<a href="/static/home?a=1&amp;b=&quot;2&quot;">Go to the start page</a>');
  });

  it('mapError plumbs the start page through to the error page', () => {
    const mapped = mapError(new BadRequestError('invalid_return_to', 'x'), { format: 'html', pages: failurePage, startPath: '/static/start' });
    expect(mapped.response.body).toContain('<a href="/static/start">Go to the start page</a>');
  });

  it('in the NHS App (from the request or the sign-in) drops the NHS header and footer, and links back to the app', () => {
    const err = new ConsentNotGivenError('consent_not_given', 'x');
    const web = mapError(err, { format: 'html', pages: failurePage }).response.body;
    expect(web).toContain('class="nhsuk-header"');
    for (const body of [
      mapError(err, { format: 'html', pages: failurePage, nhsApp: true }).response.body,
      mapError(new ConsentNotGivenError('consent_not_given', 'x', { nhsApp: true }), { format: 'html', pages: failurePage }).response.body,
    ]) {
      expect(body).not.toContain('class="nhsuk-header"');
      expect(body).not.toContain('class="nhsuk-footer"');
      expect(body).toContain(`href="${NHS_APP_HOME}"`);
    }
  });

  it('escapes the reference', () => {
    expect(failurePage('internal', { reference: '<script>' })).toContain('&lt;script&gt;');
  });
});

describe('mapError', () => {
  it.each([
    [new BadRequestError('invalid_return_to', 'x'), 400, 'invalid_return_to'],
    [new LoginTransactionError('state_mismatch', 'x'), 400, 'state_mismatch'],
    [new ConsentNotGivenError('consent_not_given', 'x'), 403, 'consent_not_given'],
    [new TokenExchangeError('token_endpoint_failed', 'x'), 502, 'token_endpoint_failed'],
    [new TokenExchangeError('token_endpoint_timeout', 'x', { timeout: true }), 504, 'token_endpoint_timeout'],
    [new DependencyUnavailableError('session_store_unavailable', 'x'), 503, 'session_store_unavailable'],
    [new CrossSiteRequestError('cross_site_request', 'x'), 403, 'cross_site_request'],
    [new Error('boom at /secret/path.ts:12'), 500, 'internal_error'],
  ])('%s -> %i', (err, status, reason) => {
    const mapped = mapError(err, { format: 'html', pages: failurePage, reference: 'r' });
    expect(mapped.response.statusCode).toBe(status);
    expect(mapped.reason).toBe(reason);
    expect(mapped.response.body).not.toContain('boom');
    expect(mapped.response.body).not.toMatch(/at .*\.ts:\d+/);
    expect(mapped.response.headers['Referrer-Policy']).toBe('no-referrer');
    expect(mapped.response.headers['Cache-Control']).toBe('no-store');
  });

  it('finds typed errors wrapped by libraries', () => {
    const wrapped = new Error('something went wrong', { cause: new DependencyUnavailableError('signing_key_unavailable', 'x') });
    expect(mapError(wrapped, { format: 'html', pages: failurePage }).response.statusCode).toBe(503);
  });

  it('answers JSON routes with JSON', () => {
    const mapped = mapError(new DependencyUnavailableError('session_store_unavailable', 'x'), { format: 'json' });
    expect(JSON.parse(mapped.response.body)).toEqual({ error: 'session_store_unavailable' });
  });
});

describe('redirectResponse', () => {
  it('sends a Location of printable ASCII', () => {
    expect(redirectResponse('/a/%E2%98%83?x=1').headers.Location).toBe('/a/%E2%98%83?x=1');
  });

  it.each(['/\u2603', '/caf\u00e9', '/a\r\nSet-Cookie: x=1', '/a b', '/tab\t', ''])('refuses a Location no header can carry: %j', (location) => {
    expect(() => redirectResponse(location)).toThrow(/Location/);
  });
});
