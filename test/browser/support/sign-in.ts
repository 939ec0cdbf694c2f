import type { Page } from 'playwright-core';
import type { SimUserId } from '../../../local/nhs-login-sim';

/** The start page's NHS login button (nhsuk-frontend's `login` variant). */
export const LOGIN_BUTTON = 'a.nhsuk-button--login';

/**
 * Chooses a test user on the simulator's user-choice page (the page must be showing it) and continues, as a person
 * would: by clicking. Resolves when the browser is back on `origin`.
 */
export async function chooseSimulatorUser(page: Page, origin: string, user: SimUserId): Promise<void> {
  await page.locator(`input[type="radio"][value="${user}"]`).check();
  await Promise.all([page.waitForURL((url) => url.origin === origin), page.getByRole('button', { name: 'Continue' }).click()]);
}

/** The whole sign-in from the start page: its button, then the simulator's page. Resolves back on the service. */
export async function signInByClicking(page: Page, origin: string, user: SimUserId = 'p9'): Promise<void> {
  await page.goto(`${origin}/`);
  await Promise.all([page.waitForURL((url) => url.origin !== origin), page.locator(LOGIN_BUTTON).click()]);
  await chooseSimulatorUser(page, origin, user);
}
