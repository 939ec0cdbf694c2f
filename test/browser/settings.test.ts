import type { BrowserContext, Page } from 'playwright-core';
import { SIM_USERS } from '../../local/nhs-login-sim';
import {
  axeViolations,
  launchChromium,
  recordNetwork,
  screenshot,
  signInByClicking,
  startBrowserStack,
  type BrowserStack,
  type RunningBrowser,
} from './support';

/**
 * "Manage your NHS login" in Chromium: the link on a signed-in page (the demo backend's `/app/signed-in`) goes
 * through `GET /auth/nhs-login-settings` to the simulator's settings page, which shows it only after verifying the
 * `asserted_login_identity` the service signed. Signed out, the same link signs in first and then arrives there.
 */
const PAGE = '/app/signed-in';
let chromium: RunningBrowser;
let stack: BrowserStack;

beforeAll(async () => {
  [chromium, stack] = await Promise.all([launchChromium(), startBrowserStack()]);
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await stack?.stop();
});

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

async function withContext(run: (context: BrowserContext, page: Page) => Promise<void>): Promise<void> {
  const context = await chromium.newContext();
  try {
    await run(context, await context.newPage());
  } finally {
    await context.close();
  }
}

describe('the NHS login settings link', () => {
  it('signed in: lands on NHS login settings, which verified the assertion, for the signed-in user', () =>
    withContext(async (context, page) => {
      await signInByClicking(page, stack.origin, 'p5');
      await page.goto(`${stack.origin}${PAGE}`);
      const network = recordNetwork(context);
      await Promise.all([
        page.waitForURL((url) => url.origin === stack.nhsLoginOrigin && url.pathname === '/settings'),
        page.getByRole('link', { name: 'Manage your NHS login' }).click(),
      ]);
      expect(await heading(page)).toBe('Manage your NHS login');
      expect(await page.locator('#signed-in-as').textContent()).toContain(String(SIM_USERS.p5.claims.email));
      expect(await page.locator('header.nhsuk-header').count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'nhs-login-settings');
      // The one hop: the service's route, then NHS login's page with the assertion; nothing else was asked for.
      const documents = network.requests.filter((r) => r.resourceType === 'document').map((r) => new URL(r.url));
      expect(documents.map((u) => `${u.origin}${u.pathname}`)).toEqual([`${stack.origin}/auth/nhs-login-settings`, `${stack.nhsLoginOrigin}/settings`]);
      expect(documents[1]!.searchParams.get('asserted_login_identity')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      network.stop();

      // Back and through the link again: a new assertion each time (the old one is spent).
      await page.goto(`${stack.origin}${PAGE}`);
      await Promise.all([page.waitForURL((url) => url.pathname === '/settings'), page.getByRole('link', { name: 'Manage your NHS login' }).click()]);
      expect(await heading(page)).toBe('Manage your NHS login');
    }));

  it('signed out: the link signs in first (by clicking at NHS login), then arrives at the settings page', () =>
    withContext(async (context, page) => {
      const network = recordNetwork(context);
      // A browser with no session here nor at NHS login follows the link (a bookmark, or a page left open).
      await Promise.all([
        page.waitForURL((url) => url.origin === stack.nhsLoginOrigin && url.pathname.startsWith('/interaction/')),
        page.goto(`${stack.origin}/auth/nhs-login-settings`),
      ]);
      expect(await page.locator('input[type="radio"][value="p9"]').count()).toBe(1);
      await page.locator('input[type="radio"][value="p9"]').check();
      await Promise.all([
        page.waitForURL((url) => url.origin === stack.nhsLoginOrigin && url.pathname === '/settings'),
        page.getByRole('button', { name: 'Continue' }).click(),
      ]);
      expect(await heading(page)).toBe('Manage your NHS login');
      expect(await page.locator('#signed-in-as').textContent()).toContain(String(SIM_USERS.p9.claims.email));
      const paths = network.requests.filter((r) => r.resourceType === 'document').map((r) => new URL(r.url).pathname);
      expect(paths.slice(0, 3)).toEqual(['/auth/nhs-login-settings', '/auth/login', '/authorize']);
      expect(paths.slice(-3)).toEqual(['/auth/callback', '/auth/nhs-login-settings', '/settings']);
      network.stop();
    }));

  it('signed out of the service but still known to NHS login: the link signs in again without a page, then settings', () =>
    withContext(async (context, page) => {
      await signInByClicking(page, stack.origin, 'p9');
      await page.goto(`${stack.origin}${PAGE}`);
      // Signed out meanwhile (another tab): the page still shows its link. NHS login's own session survives a logout.
      const out = await context.request.post(`${stack.origin}/auth/logout`, { headers: { origin: stack.origin }, maxRedirects: 0 });
      expect(out.status()).toBe(303);
      const network = recordNetwork(context);
      await Promise.all([
        page.waitForURL((url) => url.origin === stack.nhsLoginOrigin && url.pathname === '/settings'),
        page.getByRole('link', { name: 'Manage your NHS login' }).click(),
      ]);
      expect(await heading(page)).toBe('Manage your NHS login');
      const paths = network.requests.filter((r) => r.resourceType === 'document').map((r) => new URL(r.url).pathname);
      expect(paths).toEqual(expect.arrayContaining(['/auth/login', '/authorize', '/auth/callback']));
      network.stop();
    }));
});
