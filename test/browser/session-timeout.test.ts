import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, launchChromium, screenshot, signInByClicking, startBrowserStack, VIEWPORTS, type BrowserStack, type RunningBrowser } from './support';

/**
 * The session timeout warning (`lambda/pages/assets/session-timeout.js`) in Chromium, on a partner page behind a
 * mount that includes it with the one `<script src>` (the demo backend's `/app/signed-in`). Time moves on both
 * sides: the relying party's clock (the local stack's `clock` option) and the page's (Playwright's `page.clock`).
 */
const MINUTE = 60_000;
const PAGE = '/app/signed-in';
let chromium: RunningBrowser;

beforeAll(async () => {
  chromium = await launchChromium();
}, 60_000);
afterAll(() => chromium?.close());

/** Sign in by clicking, open the partner page, and wait until the script has read the session. */
async function openSignedIn(
  stack: BrowserStack,
  width: keyof typeof VIEWPORTS = 'wide',
  at: string = PAGE,
): Promise<{ context: BrowserContext; page: Page; cspErrors: string[] }> {
  const context = await chromium.newContext({ viewport: VIEWPORTS[width] });
  const page = await context.newPage();
  const cspErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  await page.clock.install();
  await signInByClicking(page, stack.origin, 'p9');
  const [read] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${stack.origin}/auth/session` && r.status() === 200),
    page.goto(`${stack.origin}${at}`),
  ]);
  // The script arms its timers only after it has read that body: moving the page's clock before then would jump
  // past deadlines no timer stands for yet. Wait for the body, then a moment of real time for the script's own turn.
  await read.finished();
  await page.waitForTimeout(250);
  return { context, page, cspErrors };
}

/**
 * Closes a test's context, bounded: a page still between the navigations its two timers may both start can keep
 * Chromium's close waiting; the browser itself is closed after the file in any case, which ends everything.
 */
const closeContext = (context: BrowserContext) => Promise.race([context.close(), new Promise<void>((resolve) => setTimeout(resolve, 5_000))]);

/** Moves both clocks on together (the relying party's first, so the page's re-read sees the new time). */
async function advance(stack: BrowserStack, page: Page, ms: number): Promise<void> {
  stack.advanceClock(ms);
  await page.clock.fastForward(ms);
}

const session = async (context: BrowserContext, origin: string) => {
  const res = await context.request.get(`${origin}/auth/session`, { headers: { accept: 'application/json' } });
  return { status: res.status(), body: res.status() === 200 ? ((await res.json()) as { idleExpiresAt: number; expiresAt: number; now: number }) : null };
};

/** The warning's accessible name and description, as its aria-labelledby / aria-describedby resolve. */
const announced = (page: Page) =>
  page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): any; getElementById(id: string): any; activeElement: any } }).document;
    const dialog = doc.querySelector('[role="alertdialog"]');
    const text = (ids: string | null) =>
      (ids ?? '')
        .split(/\s+/)
        .map((id) => doc.getElementById(id)?.textContent?.trim() ?? '')
        .join(' ')
        .trim();
    return {
      name: text(dialog?.getAttribute('aria-labelledby') ?? null),
      description: text(dialog?.getAttribute('aria-describedby') ?? null),
      modal: dialog?.getAttribute('aria-modal') ?? null,
      focusInside: dialog?.contains(doc.activeElement) === true,
      focused: doc.activeElement?.textContent?.trim() ?? null,
    };
  });

/** Another tab in the same context (same cookies, same clock, same BroadcastChannel), once its script has read the session. */
async function openTab(stack: BrowserStack, context: BrowserContext): Promise<Page> {
  const tab = await context.newPage();
  await Promise.all([tab.waitForResponse((r) => r.url() === `${stack.origin}/auth/session` && r.status() === 200), tab.goto(`${stack.origin}${PAGE}`)]);
  return tab;
}

/** What the browser does when the user comes back to the tab (`visibilitychange`); resolves once the session is re-read. */
async function returnToTab(stack: BrowserStack, page: Page): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.url() === `${stack.origin}/auth/session` && r.status() === 200),
    page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { dispatchEvent(e: unknown): boolean } }).document;
      doc.dispatchEvent(new Event('visibilitychange'));
    }),
  ]);
}

/** The warning's description as announced, for a page whose dialog is showing. */
const describedAs = async (page: Page) => (await announced(page)).description;

/** Waits (up to 10 s) until `read` gives `expected`, and fails with the last value read if it never does. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<void> {
  const until = Date.now() + 10_000;
  let last = await read();
  while (last !== expected && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  expect(last).toBe(expected);
}

const focusedText = (page: Page) =>
  page.evaluate(
    () => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent?.trim() ?? null,
  );

describe('the session timeout warning (idle)', () => {
  let stack: BrowserStack;
  beforeAll(async () => {
    stack = await startBrowserStack();
  }, 60_000);
  afterAll(() => stack?.stop());
  afterEach(() => stack.resetClock());

  it('warns two minutes before the idle timeout, focused and announced; "Stay signed in" extends the session; at the end, the timed-out page', async () => {
    const { context, page, cspErrors } = await openSignedIn(stack);
    try {
      const before = await session(context, stack.origin);
      expect(before.status).toBe(200);
      const dialog = page.getByRole('alertdialog');
      expect(await dialog.count()).toBe(0);

      // 27 minutes: nothing yet. 28: the warning.
      await advance(stack, page, 27 * MINUTE);
      expect(await dialog.count()).toBe(0);
      await advance(stack, page, MINUTE + 5_000);
      await dialog.waitFor({ state: 'visible' });
      const seen = await announced(page);
      expect(seen).toMatchObject({ name: 'You will be signed out soon', modal: 'true', focusInside: true, focused: 'Stay signed in' });
      expect(seen.description).toMatch(/sign you out in 2 minutes if you do nothing/);
      // Escape keeps the session too (as "Stay signed in" does): the warning says so, so it never extends it unannounced.
      expect(seen.description).toMatch(/Pressing Escape also keeps you signed in\./);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'session-timeout-warning');

      // "Stay signed in": the session's idle deadline moves on (seen by GET /auth/session, which itself never slides).
      const [refresh] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/auth/session/refresh') && r.status() === 200),
        dialog.getByRole('button', { name: 'Stay signed in' }).click(),
      ]);
      await dialog.waitFor({ state: 'detached' });
      const refreshed = (await refresh.json()) as { idleExpiresAt: number; now: number };
      expect(refreshed.idleExpiresAt).toBe(refreshed.now + 30 * 60);
      const after = await session(context, stack.origin);
      expect(after.body!.idleExpiresAt).toBe(refreshed.idleExpiresAt);
      expect(after.body!.idleExpiresAt).toBeGreaterThanOrEqual(before.body!.idleExpiresAt + 28 * 60);

      // No more activity: the warning again 28 minutes on, then the end, and the browser is on the timed-out page.
      await advance(stack, page, 28 * MINUTE + 5_000);
      await dialog.waitFor({ state: 'visible' });
      await Promise.all([page.waitForURL((url) => url.pathname === '/auth/timed-out'), advance(stack, page, 2 * MINUTE)]);
      const landed = new URL(page.url());
      expect(landed.searchParams.get('returnTo')).toBe(PAGE);
      expect((await session(context, stack.origin)).status).toBe(401);
      expect(cspErrors).toEqual([]);
    } finally {
      await closeContext(context);
    }
  });

  it('Escape stays signed in and returns focus to where it was; it works at 320 px too', async () => {
    const { context, page } = await openSignedIn(stack, 'narrow');
    try {
      const link = page.getByRole('link', { name: 'Manage your NHS login' });
      await link.focus();
      await advance(stack, page, 28 * MINUTE + 5_000);
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor({ state: 'visible' });
      expect((await dialog.boundingBox())!.width).toBeLessThanOrEqual(VIEWPORTS.narrow.width);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'session-timeout-warning-320');
      const [refresh] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/auth/session/refresh')), page.keyboard.press('Escape')]);
      await dialog.waitFor({ state: 'detached' });
      expect(await focusedText(page)).toBe('Manage your NHS login');
      const refreshed = (await refresh.json()) as { idleExpiresAt: number; now: number };
      expect(refresh.status()).toBe(200);
      expect(refreshed.idleExpiresAt).toBe(refreshed.now + 30 * 60);
      expect((await session(context, stack.origin)).body!.idleExpiresAt).toBe(refreshed.idleExpiresAt);
    } finally {
      await closeContext(context);
    }
  });

  it('several tabs: "Stay signed in" in one closes the warning in the other, which stays signed in', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      const other = await context.newPage();
      await Promise.all([other.waitForResponse((r) => r.url().endsWith('/auth/session') && r.status() === 200), other.goto(`${stack.origin}${PAGE}`)]);
      // Both pages share the context's clock.
      await advance(stack, page, 28 * MINUTE + 5_000);
      await page.getByRole('alertdialog').waitFor({ state: 'visible' });
      await other.getByRole('alertdialog').waitFor({ state: 'visible' });
      await page.getByRole('alertdialog').getByRole('button', { name: 'Stay signed in' }).click();
      await other.getByRole('alertdialog').waitFor({ state: 'detached' });
      // The end of the old deadline passes: neither tab leaves, the session is alive.
      await advance(stack, page, 3 * MINUTE);
      expect(new URL(other.url()).pathname).toBe(PAGE);
      expect(new URL(page.url()).pathname).toBe(PAGE);
      expect((await session(context, stack.origin)).status).toBe(200);
    } finally {
      await closeContext(context);
    }
  });

  it('a session already gone (signed out in another tab): at the warning time the page goes to the timed-out page', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      const res = await context.request.post(`${stack.origin}/auth/logout`, { headers: { origin: stack.origin }, maxRedirects: 0 });
      expect(res.status()).toBe(303);
      await Promise.all([page.waitForURL((url) => url.pathname === '/auth/timed-out'), advance(stack, page, 28 * MINUTE + 5_000)]);
      expect(await page.getByRole('alertdialog').count()).toBe(0);
    } finally {
      await closeContext(context);
    }
  });
  it('keeps counting down after the session is read again while the warning shows (the user comes back to the tab)', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      await advance(stack, page, 28 * MINUTE + 5_000);
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor({ state: 'visible' });
      expect(await describedAs(page)).toMatch(/sign you out in 2 minutes/);
      await returnToTab(stack, page);
      // The same warning, still focused where it was; its countdown goes on from the deadline just read.
      expect(await dialog.count()).toBe(1);
      expect(await focusedText(page)).toBe('Stay signed in');
      await advance(stack, page, 65_000);
      expect(await describedAs(page)).toMatch(/sign you out in less than a minute/);
    } finally {
      await closeContext(context);
    }
  });

  it('a failed "Stay signed in" is announced by a live region that was there, empty, before the failure', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      await advance(stack, page, 28 * MINUTE + 5_000);
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor({ state: 'visible' });
      const live = dialog.getByRole('status');
      expect(await live.count()).toBe(1);
      expect(await live.textContent()).toBe('');
      // The network fails (the device goes offline): the warning stays, and says so through the region.
      await context.setOffline(true);
      await dialog.getByRole('button', { name: 'Stay signed in' }).click();
      await eventually(() => live.textContent(), 'Sorry, we could not keep you signed in. Try again.');
      expect(await dialog.count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      // Back online, trying again works.
      await context.setOffline(false);
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/auth/session/refresh') && r.status() === 200),
        dialog.getByRole('button', { name: 'Stay signed in' }).click(),
      ]);
      await dialog.waitFor({ state: 'detached' });
    } finally {
      await closeContext(context);
    }
  });

  it('several tabs: signing out in one sends the others to the signed-out page, not later to the timed-out page', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      const other = await openTab(stack, context);
      // The page's own sign-out form (not the warning's): every POST to /auth/logout from a page with the script.
      await Promise.all([page.waitForURL((url) => url.pathname === '/auth/signed-out'), page.getByRole('button', { name: 'Sign out' }).click()]);
      await other.waitForURL((url) => url.pathname === '/auth/signed-out', { timeout: 10_000 });
      expect(await other.getByRole('heading', { level: 1 }).textContent()).toMatch(/You have signed out/);
      expect((await session(context, stack.origin)).status).toBe(401);
    } finally {
      await closeContext(context);
    }
  });

  it('a page whose path and query are longer than a returnTo may be: it times out back to its path alone', async () => {
    const { context, page } = await openSignedIn(stack, 'wide', `${PAGE}?q=${'a'.repeat(600)}`);
    try {
      await advance(stack, page, 30 * MINUTE + 5_000);
      // Where the page has gone, however many navigations got it there (both timers may send it).
      await page.waitForURL((url) => url.pathname === '/auth/timed-out', { timeout: 15_000 });
      expect(new URL(page.url()).searchParams.get('returnTo')).toBe(PAGE);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/you have been signed out/);
    } finally {
      await closeContext(context);
    }
  });
});

describe('the session timeout warning (absolute)', () => {
  let stack: BrowserStack;
  beforeAll(async () => {
    // A 20-minute absolute lifetime: the session ends before its idle deadline, and nothing can extend it.
    stack = await startBrowserStack({ settings: { sessionAbsoluteMinutes: 20 } });
  }, 60_000);
  afterAll(() => stack?.stop());
  afterEach(() => stack.resetClock());

  it('says staying signed in cannot help and offers to sign in again, sign out or continue', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      await advance(stack, page, 18 * MINUTE + 5_000);
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor({ state: 'visible' });
      const seen = await announced(page);
      expect(seen).toMatchObject({ name: 'You will need to sign in again soon', focusInside: true, focused: 'Sign in again' });
      expect(seen.description).toMatch(/cannot be extended/);
      expect(await dialog.getByRole('button').allTextContents()).toEqual(['Sign in again', 'Sign out', 'Continue']);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'session-timeout-absolute');
      await dialog.getByRole('button', { name: 'Continue' }).click();
      await dialog.waitFor({ state: 'detached' });
      await Promise.all([page.waitForURL((url) => url.pathname === '/auth/timed-out'), advance(stack, page, 2 * MINUTE)]);
      expect(new URL(page.url()).searchParams.get('returnTo')).toBe(PAGE);
    } finally {
      await closeContext(context);
    }
  });

  it('"Sign in again" ends this session and signs in afresh, back on the same page with a new absolute deadline', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      const first = await session(context, stack.origin);
      await advance(stack, page, 18 * MINUTE + 5_000);
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor({ state: 'visible' });
      // NHS login still knows the user: the new sign-in needs no page there, and the browser comes back here.
      await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/callback' && r.status() === 302),
        dialog.getByRole('button', { name: 'Sign in again' }).click(),
      ]);
      await page.waitForURL((url) => url.origin === stack.origin && url.pathname === PAGE, { waitUntil: 'load' });
      const fresh = await session(context, stack.origin);
      expect(fresh.status).toBe(200);
      expect(fresh.body!.expiresAt).toBeGreaterThanOrEqual(first.body!.expiresAt + 18 * 60);
      // A new 20-minute session (created a moment before this read: real seconds pass while the browser signs in).
      expect(fresh.body!.expiresAt).toBeLessThanOrEqual(fresh.body!.now + 20 * 60);
      expect(fresh.body!.expiresAt).toBeGreaterThan(fresh.body!.now + 19 * 60);
    } finally {
      await closeContext(context);
    }
  });

  it('"Sign out" signs out as the service does (the signed-out page), in the other tabs too', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      const other = await openTab(stack, context);
      await advance(stack, page, 18 * MINUTE + 5_000);
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor({ state: 'visible' });
      await other.getByRole('alertdialog').waitFor({ state: 'visible' });
      await Promise.all([page.waitForURL((url) => url.pathname === '/auth/signed-out'), dialog.getByRole('button', { name: 'Sign out' }).click()]);
      await other.waitForURL((url) => url.pathname === '/auth/signed-out', { timeout: 10_000 });
      expect((await session(context, stack.origin)).status).toBe(401);
    } finally {
      await closeContext(context);
    }
  });
});

describe('the session timeout warning (staying signed in meets the absolute deadline)', () => {
  let stack: BrowserStack;
  beforeAll(async () => {
    // A 31-minute absolute lifetime: the idle warning comes first (28 minutes), and staying signed in late in it
    // leaves a session that ends at 31 minutes, within two minutes, which nothing can extend.
    stack = await startBrowserStack({ settings: { sessionAbsoluteMinutes: 31 } });
  }, 60_000);
  afterAll(() => stack?.stop());
  afterEach(() => stack.resetClock());

  const idleWarningLate = async (page: Page) => {
    await advance(stack, page, 28 * MINUTE + 5_000);
    await page.getByRole('alertdialog').waitFor({ state: 'visible' });
    expect((await announced(page)).name).toBe('You will be signed out soon');
    await advance(stack, page, 85_000);
  };

  it('"Stay signed in" then shows the absolute warning at once, rather than no warning at all', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      await idleWarningLate(page);
      const dialog = page.getByRole('alertdialog');
      const [refresh] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/auth/session/refresh') && r.status() === 200),
        dialog.getByRole('button', { name: 'Stay signed in' }).click(),
      ]);
      const refreshed = (await refresh.json()) as { idleExpiresAt: number; expiresAt: number; now: number };
      expect(refreshed.idleExpiresAt).toBe(refreshed.expiresAt);
      await eventually(async () => (await announced(page)).name, 'You will need to sign in again soon');
      const seen = await announced(page);
      expect(seen).toMatchObject({ modal: 'true', focusInside: true, focused: 'Sign in again' });
      expect(seen.description).toMatch(/signed out in 2 minutes, and this cannot be extended/);
      expect(seen.description).toMatch(/Pressing Escape closes this message\./);
      expect(await axeViolations(page)).toEqual([]);
      await Promise.all([page.waitForURL((url) => url.pathname === '/auth/timed-out'), advance(stack, page, 2 * MINUTE)]);
    } finally {
      await closeContext(context);
    }
  });

  it('several tabs: "Stay signed in" in one turns the other tab\'s idle warning into the absolute one', async () => {
    const { context, page } = await openSignedIn(stack);
    try {
      const other = await openTab(stack, context);
      await idleWarningLate(page);
      await other.getByRole('alertdialog').waitFor({ state: 'visible' });
      await page.getByRole('alertdialog').getByRole('button', { name: 'Stay signed in' }).click();
      await eventually(async () => (await announced(other)).name, 'You will need to sign in again soon');
      expect(await other.getByRole('alertdialog').getByRole('button').allTextContents()).toEqual(['Sign in again', 'Sign out', 'Continue']);
      expect(await announced(other)).toMatchObject({ focusInside: true, focused: 'Sign in again' });
    } finally {
      await closeContext(context);
    }
  });
});
