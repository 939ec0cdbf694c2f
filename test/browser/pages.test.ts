/**
 * Every page of the service in Chromium, against the local stack: rendered with nhsuk-frontend, passing axe-core
 * (zero violations) at 320 px and 1280 px (1280 px at 400% zoom is 320 CSS px: the same check covers it), no
 * horizontal scrolling at 320 px, a unique title and one `h1` each, a screenshot of each; then the journeys a
 * patient takes by clicking (sign-in from the start page's button, declining consent), NHS App mode, and a network
 * log proving no request leaves the service's origin except the sign-in's own visit to NHS login (the simulator).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { failurePage } from '../../lambda/core/pages';
import { HTML_CSP } from '../../lambda/core/responses';
import {
  axeViolations,
  chooseSimulatorUser,
  launchChromium,
  LOGIN_BUTTON,
  recordNetwork,
  screenshot,
  signInByClicking,
  startBrowserStack,
  VIEWPORTS,
  type BrowserStack,
  type RunningBrowser,
} from './support';

const NHS_APP_USER_AGENT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 nhsapp-ios/3.1.0';

let rig: BrowserStack;
let chromium: RunningBrowser;

beforeAll(async () => {
  // Chromium first: when it is missing the file fails at once with the reason, before any server starts.
  chromium = await launchChromium();
  rig = await startBrowserStack();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await rig?.stop();
}, 30_000);

/** What a page looks like to the checks: where the browser ended up, and the response that drew it. */
interface Shown {
  readonly status: number;
  readonly url: string;
}

/** A page of the service, and how a browser gets to it. */
interface PageCase {
  readonly name: string;
  readonly status: number;
  readonly title: RegExp;
  /** Drives a fresh page there; resolves with the main document's response. */
  readonly open: (page: Page) => Promise<Shown>;
  readonly nhsApp?: boolean;
}

const go = async (page: Page, path: string): Promise<Shown> => {
  const response = await page.goto(`${rig.origin}${path}`);
  if (!response) throw new Error(`No response for ${path}`);
  return { status: response.status(), url: page.url() };
};

/** The response of the last navigation that ended on the service's origin. */
async function landing(page: Page, run: () => Promise<unknown>): Promise<Shown> {
  const waiting = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && new URL(r.url()).origin === rig.origin && r.status() !== 302 && r.status() !== 303,
  );
  await run();
  const response = await waiting;
  await page.waitForLoadState('load');
  return { status: response.status(), url: response.url() };
}

/**
 * Serves `html` at a path of the service's origin (through the browser's request interception), with the pages'
 * headers, for the two pages no request from outside can reach on purpose: the unexpected-failure page, and API
 * Gateway's forwarding page held still (its refresh would leave at once).
 */
async function serveOnOrigin(page: Page, path: string, status: number, html: string): Promise<Shown> {
  await page.route(`${rig.origin}${path}`, (route) =>
    route.fulfill({ status, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': HTML_CSP }, body: html }),
  );
  return go(page, path);
}

const PAGES: readonly PageCase[] = [
  // First while nothing is cached: NHS login's discovery answering garbage, so the sign-in cannot start.
  {
    name: 'unavailable',
    status: 503,
    title: /^Sorry, the service is unavailable - NHS login$/,
    open: async (page) => {
      await rig.stack.simulator.setMisbehaviour('discovery-garbage');
      try {
        return await go(page, '/auth/login');
      } finally {
        await rig.stack.simulator.setMisbehaviour(null);
      }
    },
  },
  { name: 'start', status: 200, title: /^Sign in to use this service - NHS login$/, open: (page) => go(page, '/') },
  {
    name: 'simulator-choose-user',
    status: 200,
    title: /^NHS login simulator: choose a test user - NHS login$/,
    open: async (page) => {
      await go(page, '/auth/login');
      return { status: 200, url: page.url() };
    },
  },
  {
    name: 'no-consent',
    status: 403,
    title: /^You cannot use this service without sharing your NHS login details - NHS login$/,
    open: (page) => declineConsent(page),
  },
  {
    name: 'no-consent-nhs-app',
    status: 403,
    title: /^You cannot use this service without sharing your NHS login details - NHS login$/,
    open: (page) => declineConsent(page),
    nhsApp: true,
  },
  {
    name: 'sign-in-failed',
    status: 400,
    title: /^Sorry, we could not sign you in - NHS login$/,
    open: (page) => go(page, '/auth/callback?code=not-a-code&state=not-a-state'),
  },
  { name: 'signed-out', status: 200, title: /^You have signed out - NHS login$/, open: (page) => go(page, '/auth/signed-out') },
  {
    name: 'timed-out',
    status: 200,
    title: /^For your security, you have been signed out - NHS login$/,
    open: (page) => go(page, '/auth/timed-out?returnTo=%2Fapp%2Fappointments'),
  },
  {
    name: 'bad-link',
    status: 400,
    title: /^Sorry, there is a problem with this link - NHS login$/,
    open: (page) => go(page, '/auth/login?returnTo=%2F%2Felsewhere.example'),
  },
  {
    name: 'forbidden',
    status: 403,
    title: /^Sorry, this request was refused - NHS login$/,
    // Another site's form posting to the logout route: refused by its same-origin check.
    open: async (page) => {
      await page.setContent(`<form method="post" action="${rig.origin}/auth/logout"><button>Sign out</button></form>`);
      return landing(page, () => page.getByRole('button', { name: 'Sign out' }).click());
    },
  },
  {
    name: 'internal',
    status: 500,
    title: /^Sorry, there is a problem with the service - NHS login$/,
    open: (page) => serveOnOrigin(page, '/auth/unexpected-failure', 500, failurePage('internal', { reference: 'a1b2c3d4-request-id' })),
  },
  {
    name: 'gateway-unauthorized',
    status: 401,
    title: /^You need to sign in - NHS login$/,
    // An API route navigated to without a session: API Gateway's 401, as HTML because a browser asks for it.
    open: (page) => go(page, '/api/me'),
  },
  {
    name: 'gateway-sign-in-to-continue',
    status: 403,
    title: /^Sign in to continue - NHS login$/,
    open: async (page) => {
      // The page mount's answer without a session, exactly as the front sends it, held still without its refresh.
      const answer = await page.request.get(`${rig.origin}/app`, { headers: { accept: 'text/html' }, maxRedirects: 0 });
      expect(answer.status()).toBe(403);
      const html = await answer.text();
      expect(html).toMatch(/<meta http-equiv="refresh" content="0; url=\/auth\/login\?returnTo=%2Fapp[&"]/);
      return serveOnOrigin(page, '/app-held', 403, html.replace(/<meta http-equiv="refresh"[^>]*>/, ''));
    },
  },
];

async function declineConsent(page: Page): Promise<Shown> {
  await go(page, '/');
  await Promise.all([page.waitForURL((url) => url.origin === rig.nhsLoginOrigin), page.locator(LOGIN_BUTTON).click()]);
  return landing(page, () => chooseSimulatorUser(page, rig.origin, 'declines-consent'));
}

async function newContext(width: keyof typeof VIEWPORTS, nhsApp = false): Promise<BrowserContext> {
  return chromium.newContext({ viewport: VIEWPORTS[width], ...(nhsApp ? { userAgent: NHS_APP_USER_AGENT } : {}) });
}

const titles = new Map<string, string>();

describe('every page', () => {
  it.each(PAGES.map((p) => [p.name, p] as const))(
    '%s: the NHS design system, axe-clean at 320 px and 1280 px, no sideways scrolling, one h1',
    async (name, pageCase) => {
      for (const width of ['narrow', 'wide'] as const) {
        const context = await newContext(width, pageCase.nhsApp);
        try {
          const page = await context.newPage();
          const errors: string[] = [];
          // A page answering 4xx/5xx logs that status too; what matters is every asset loading and no CSP refusal.
          page.on('console', (m) => {
            if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
          });
          page.on('pageerror', (e) => errors.push(e.message));
          page.on('requestfailed', (r) => errors.push(`${r.url()} failed`));
          page.on('response', (r) => {
            if (!r.request().isNavigationRequest() && r.status() >= 400) errors.push(`${r.url()} answered ${r.status()}`);
          });
          const shown = await pageCase.open(page);
          expect(shown.status).toBe(pageCase.status);
          const title = await page.title();
          expect(title).toMatch(pageCase.title);
          titles.set(name, title);
          expect(await page.locator('h1').count()).toBe(1);
          expect(await page.locator('main#maincontent').count()).toBe(1);
          // nhsuk-frontend's stylesheet applied (its body font stack), and its JavaScript ran (the init module's class).
          expect(await page.evaluate('getComputedStyle(document.body).fontFamily')).toMatch(/Frutiger W01", arial/);
          expect(await page.locator('body.js-enabled.nhsuk-frontend-supported').count()).toBe(1);
          expect(await page.locator('header.nhsuk-header').count()).toBe(pageCase.nhsApp ? 0 : 1);
          expect(await page.locator('footer.nhsuk-footer').count()).toBe(pageCase.nhsApp ? 0 : 1);
          expect(await axeViolations(page)).toEqual([]);
          if (width === 'narrow') {
            const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
            expect(overflow).toBeLessThanOrEqual(0);
          }
          // Nothing refused by the CSP, no script error.
          expect(errors).toEqual([]);
          await screenshot(page, `${name}-${VIEWPORTS[width].width}`);
        } finally {
          await context.close();
        }
      }
    },
    60_000,
  );

  it('have titles of their own (the two no-consent variants are one page)', () => {
    expect(titles.size).toBe(PAGES.length);
    const distinct = new Set([...titles].filter(([name]) => name !== 'no-consent-nhs-app').map(([, title]) => title));
    expect(distinct.size).toBe(PAGES.length - 1);
  });
});

describe('journeys, by clicking', () => {
  let context: BrowserContext;
  let page: Page;
  beforeEach(async () => {
    context = await newContext('wide');
    page = await context.newPage();
  });
  afterEach(() => context.close());

  it("signs in from the start page's NHS login button through NHS login's page, and back to the service", async () => {
    await go(page, '/');
    const button = page.locator(LOGIN_BUTTON);
    expect((await button.textContent())?.trim()).toBe('Continue to NHS login');
    // The NHS login button is the first and most prominent way in: the first link or button in the content.
    expect(await page.locator('main a, main button').first().getAttribute('class')).toMatch(/nhsuk-button--login/);
    await Promise.all([page.waitForURL((url) => url.origin === rig.nhsLoginOrigin), button.click()]);
    expect((await page.locator('h1').textContent())?.trim()).toBe('NHS login simulator: choose a test user');
    await chooseSimulatorUser(page, rig.origin, 'p9');
    const session = await page.request.get(`${rig.origin}/auth/session`);
    expect(await session.json()).toMatchObject({ authenticated: true });
    // Signed in: the protected page mount answers with the demo backend, not the sign-in.
    await go(page, '/app');
    expect(new URL(page.url()).pathname).toBe('/app');
  });

  it('comes back to where the user was after "Sign in again" on the timed-out page', async () => {
    await go(page, '/auth/timed-out?returnTo=%2Fapp%2Fappointments%3Fday%3Dmonday');
    await Promise.all([page.waitForURL((url) => url.origin === rig.nhsLoginOrigin), page.getByRole('button', { name: 'Sign in again' }).click()]);
    await chooseSimulatorUser(page, rig.origin, 'p9');
    await page.waitForURL((url) => url.pathname === '/app/appointments');
    expect(new URL(page.url()).search).toBe('?day=monday');
  });

  it('declining consent ends on the no-consent page, with NHS 111 and 999, and no back button of its own', async () => {
    const shown = await declineConsent(page);
    expect(shown.status).toBe(403);
    expect(await page.getByRole('link', { name: 'NHS 111 online' }).getAttribute('href')).toBe('https://111.nhs.uk/');
    expect(await page.locator('main').textContent()).toContain('In an emergency, call 999.');
    expect(await page.locator('main').getByRole('link').count()).toBe(1);
    expect(await page.locator('.nhsuk-back-link').count()).toBe(0);
    const session = await page.request.get(`${rig.origin}/auth/session`);
    expect(await session.json()).toMatchObject({ authenticated: false });
  });
});

describe('NHS App mode (the NHS App user agent)', () => {
  it('hides the NHS header and footer on every kind of page, and the no-consent page links back to the app', async () => {
    const app = await newContext('narrow', true);
    const web = await newContext('narrow');
    try {
      for (const path of ['/', '/auth/signed-out', '/auth/timed-out?returnTo=%2Fapp', '/auth/callback?code=x&state=y']) {
        const inApp = await app.newPage();
        await inApp.goto(`${rig.origin}${path}`);
        expect(await inApp.locator('header, footer, .nhsuk-header, .nhsuk-footer').count()).toBe(0);
        expect(await inApp.locator('h1').count()).toBe(1);
        const inBrowser = await web.newPage();
        await inBrowser.goto(`${rig.origin}${path}`);
        expect(await inBrowser.locator('header.nhsuk-header').count()).toBe(1);
        expect(await inBrowser.locator('footer.nhsuk-footer').count()).toBe(1);
      }
      const inApp = await app.newPage();
      await declineConsent(inApp);
      expect(await inApp.getByRole('link', { name: 'Go back to the NHS App' }).getAttribute('href')).toBe('https://www.nhsapp.service.nhs.uk/');
      const inBrowser = await web.newPage();
      await declineConsent(inBrowser);
      expect(await inBrowser.getByRole('link', { name: 'Go back to the NHS App' }).count()).toBe(0);
    } finally {
      await app.close();
      await web.close();
    }
  });
});

describe('the network', () => {
  it('nothing leaves the service origin except the sign-in going to NHS login and NHS login answering', async () => {
    const context = await newContext('wide');
    const log = recordNetwork(context);
    try {
      const page = await context.newPage();
      await signInByClicking(page, rig.origin, 'p9');
      for (const path of ['/app', '/auth/signed-out', '/auth/timed-out?returnTo=%2Fapp', '/api/me', '/auth/login?returnTo=%2F%2Fbad']) await go(page, path);
      await page.goto(`${rig.origin}/`);
      await Promise.all([page.waitForURL((url) => url.origin === rig.origin && url.pathname === '/auth/signed-out'), page.evaluate(SIGN_OUT)]);

      // It did load the pages and their assets (the check below would pass on an empty log otherwise).
      expect(log.requests.filter((r) => r.url.startsWith(`${rig.origin}/auth/assets/`)).length).toBeGreaterThanOrEqual(4);
      expect(log.origins().sort()).toEqual([rig.nhsLoginOrigin, rig.origin].sort());
      for (const request of log.outside(rig.origin)) {
        // NHS login's own page and what it loads from itself; the service's pages only ever navigate there.
        if (request.resourceType === 'document') expect(new URL(request.url).pathname).toMatch(/^\/(authorize|interaction\/)/);
        else expect(new URL(request.fromPage).origin).toBe(rig.nhsLoginOrigin);
      }
      for (const request of log.requests.filter((r) => r.resourceType !== 'document' && r.fromPage.startsWith(rig.origin))) {
        expect(new URL(request.url).origin).toBe(rig.origin);
      }
    } finally {
      log.stop();
      await context.close();
    }
  });
});

/** Runs in the page: signs out with a form POST, as a partner's sign-out button does. */
const SIGN_OUT = "const form = document.createElement('form'); form.method = 'post'; form.action = '/auth/logout'; document.body.append(form); form.submit();";
