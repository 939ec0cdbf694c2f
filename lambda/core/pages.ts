import { renderView } from '../pages/render';
import type { FailurePage } from './errors';

/**
 * The HTML the user sees, in the NHS design system: nhsuk-frontend's own templates (`lambda/pages/views/`), its CSS
 * and JavaScript served by this service (`/auth/assets/`), WCAG 2.2 AA. Each page has a unique title and one `h1`,
 * says what happened and what to do next, and shows at most a support reference: no stack traces or internal
 * detail. In the NHS App (`nhsApp`) there is no NHS header or footer.
 */

export const NHS_111_ONLINE = 'https://111.nhs.uk/';
/** Where the NHS App's web integrations send users back to the app. */
export const NHS_APP_HOME = 'https://www.nhsapp.service.nhs.uk/';
/** Where every sign-in starts. */
export const SIGN_IN_PATH = '/auth/login';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export interface PageOptions {
  /** In the NHS App: no NHS header or footer, and the no-consent page links back to the app. @default false */
  nhsApp?: boolean;
  /** Where the header's logo and "Go to the start page" go (`settings.startPath`). @default '/' */
  startPath?: string;
}

export interface FailurePageOptions extends PageOptions {
  reference?: string;
}

const base = (title: string, options: FailurePageOptions) => ({
  title,
  nhsApp: options.nhsApp ?? false,
  startPath: options.startPath ?? '/',
  ...(options.reference ? { reference: options.reference } : {}),
});

function message(title: string, paragraphs: string[], next: { href: string; text: string } | undefined, options: FailurePageOptions): string {
  return renderView('message.njk', { ...base(title, options), paragraphs, ...(next ? { next } : {}) });
}

export function failurePage(page: FailurePage, options: FailurePageOptions = {}): string {
  const start = { href: options.startPath ?? '/', text: 'Go to the start page' };
  switch (page) {
    case 'bad-request':
      return message('Sorry, there is a problem with this link', ['The address you followed is not valid.'], start, options);
    case 'sign-in-failed':
      return message(
        'Sorry, we could not sign you in',
        ['Your sign-in could not be completed. This can happen if you took too long, used the back button, or opened the sign-in link twice.'],
        { href: SIGN_IN_PATH, text: 'Try signing in again' },
        options,
      );
    case 'no-consent':
      return noConsentPage(options.nhsApp ?? false, options.reference, options);
    case 'unavailable':
      return message(
        'Sorry, the service is unavailable',
        ['You cannot sign in at the moment. Nothing has been saved.', 'Try again later.'],
        undefined,
        options,
      );
    case 'forbidden':
      return message('Sorry, this request was refused', ['The request did not come from this service, so it was not carried out.'], start, options);
    case 'internal':
      return message('Sorry, there is a problem with the service', ['Try again later.'], undefined, options);
  }
}

/**
 * Shown when the user declines to share their NHS login details (`access_denied` / `ConsentNotGiven`). NHS login
 * requires it to point to NHS 111 online and 999, and to offer no back button of its own; in the NHS App it links
 * back to the app.
 */
export function noConsentPage(nhsApp: boolean, reference?: string, options: PageOptions = {}): string {
  return renderView('no-consent.njk', {
    ...base('You cannot use this service without sharing your NHS login details', { ...options, nhsApp, reference }),
    nhs111Online: NHS_111_ONLINE,
    nhsAppHome: NHS_APP_HOME,
  });
}

/**
 * `GET /`: the public start page. What the service is, and one clear way in: the NHS login button (nhsuk-frontend's
 * `login` variant, the first and most prominent option), a link, since signing in starts with a GET.
 */
export function startPage(options: PageOptions = {}): string {
  return renderView('start.njk', { ...base('Sign in to use this service', options), signInHref: SIGN_IN_PATH });
}

export function signedOutPage(options: PageOptions = {}): string {
  return renderView('signed-out.njk', { ...base('You have signed out', options), signInHref: SIGN_IN_PATH });
}

/**
 * `GET /auth/timed-out`: the session ended (idle or absolute timeout). "Sign in again" comes back to `returnTo`,
 * which the caller has validated (`validateReturnTo`).
 */
export function timedOutPage(returnTo: string, options: PageOptions = {}): string {
  const signInHref = returnTo === '/' ? SIGN_IN_PATH : `${SIGN_IN_PATH}?returnTo=${encodeURIComponent(returnTo)}`;
  return renderView('timed-out.njk', { ...base('For your security, you have been signed out', options), signInHref });
}
