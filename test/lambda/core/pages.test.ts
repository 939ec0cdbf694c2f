import { AUTHORIZER_GATEWAY_RESPONSES, assertVtlSafe, GATEWAY_PAGE_CSP } from '../../../lambda/core/gateway-responses';
import { failurePage, NHS_111_ONLINE, NHS_APP_HOME, noConsentPage, signedOutPage, startPage, timedOutPage } from '../../../lambda/core/pages';
import { PAGE_ASSETS } from '../../../lambda/pages/render';

/** Every page the service (and API Gateway, for it) can show, in both modes. */
const PAGES: Record<string, string> = {
  start: startPage(),
  'signed-out': signedOutPage(),
  'timed-out': timedOutPage('/app'),
  'no-consent': noConsentPage(false),
  'no-consent-in-the-nhs-app': noConsentPage(true),
  ...Object.fromEntries(
    (['bad-request', 'sign-in-failed', 'unavailable', 'forbidden', 'internal'] as const).map((p) => [p, failurePage(p, { reference: 'r-1' })]),
  ),
  ...Object.fromEntries(AUTHORIZER_GATEWAY_RESPONSES.map((r) => [`gateway-${r.type}`, r.templates['text/html']])),
};

/** The URLs a page makes the browser load by itself (not the links a person may follow). */
function loadedUrls(html: string): string[] {
  const urls = [...html.matchAll(/<(?:script|img|iframe|source|audio|video)\b[^>]*\ssrc="([^"]*)"/gi)].map((m) => m[1] ?? '');
  for (const link of html.match(/<link\b[^>]*>/gi) ?? []) urls.push(/\shref="([^"]*)"/.exec(link)?.[1] ?? '');
  for (const style of html.matchAll(/url\(([^)]*)\)/g)) urls.push(style[1] ?? '');
  return urls;
}

describe('the pages', () => {
  it.each(Object.entries(PAGES))("%s loads nothing from another origin: its CSS, script and icon are this service's fingerprinted assets", (_name, html) => {
    const urls = loadedUrls(html);
    expect(urls.sort()).toEqual([PAGE_ASSETS.css, PAGE_ASSETS.favicon, PAGE_ASSETS.init].map((f) => `/auth/assets/${f}`).sort());
    // Links a person may follow to other NHS services are the only other origins named; no inline style or script.
    // (The SVG logo's XML namespace is a name, not a request.)
    const allowed = [new URL(NHS_111_ONLINE).origin, new URL(NHS_APP_HOME).origin, 'http://www.w3.org'];
    for (const [url] of html.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+/gi)) expect(allowed).toContain(url);
    expect(html).not.toMatch(/<style|\sstyle="|<script(?![^>]*\ssrc=)/i);
  });

  it('have a title each, and one h1', () => {
    const titles = Object.entries(PAGES)
      .filter(([name]) => name !== 'no-consent-in-the-nhs-app')
      .map(([, html]) => /<title>([^<]+)<\/title>/.exec(html)?.[1]);
    expect(new Set(titles).size).toBe(titles.length);
    for (const html of Object.values(PAGES)) expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
  });
});

describe("API Gateway's HTML answers", () => {
  it('are pages of the service, with the policy in the page (a header mapping cannot carry it)', () => {
    for (const spec of AUTHORIZER_GATEWAY_RESPONSES) {
      const html = spec.templates['text/html'];
      expect(html).toContain('class="nhsuk-header"');
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${GATEWAY_PAGE_CSP.replace(/'/g, '&#39;')}">`);
    }
    expect(GATEWAY_PAGE_CSP).toContain("script-src 'self'");
    expect(GATEWAY_PAGE_CSP).not.toContain('frame-ancestors');
  });

  it('forward to sign in from the page mounts (403) and link there from the APIs (401)', () => {
    const denied = AUTHORIZER_GATEWAY_RESPONSES.find((r) => r.type === 'ACCESS_DENIED')?.templates['text/html'] ?? '';
    expect(denied).toContain('<meta http-equiv="refresh" content="0; url=$context.authorizer.signIn">');
    expect(denied).toContain('<a href="$context.authorizer.signIn">Continue to NHS login</a>');
    const unauthorized = AUTHORIZER_GATEWAY_RESPONSES.find((r) => r.type === 'UNAUTHORIZED')?.templates['text/html'] ?? '';
    expect(unauthorized).not.toContain('http-equiv="refresh"');
    expect(unauthorized).toContain('<a href="/auth/login">Continue to NHS login</a>');
  });

  it.each([['##'], ['#*'], ['#set'], ['#if'], ['#{end}'], ['$foo'], ['$context.requestId']])('refuse page text Velocity would read as code: %s', (syntax) => {
    expect(() => assertVtlSafe(`<p>a ${syntax} b</p>`, 'fixture')).toThrow(/would be read as template syntax/);
  });

  it('pass the references they mean and ordinary fragments', () => {
    expect(assertVtlSafe('<a href="#maincontent">x</a><a href="$context.authorizer.signIn">y</a> &#39;', 'fixture')).toContain('#maincontent');
  });
});
