import type { FailurePage } from './errors';

/**
 * The HTML the user sees. Plain, accessible pages (WCAG 2.2 AA): a language, a unique title, one `h1`, text
 * that says what happened and what to do next, real links. No scripts, no stack traces, no internal detail:
 * at most a support reference. Styles are inline so the pages work before any front end exists.
 */

export const NHS_111_ONLINE = 'https://111.nhs.uk/';
/** Where the NHS App's web integrations send users back to the app. */
export const NHS_APP_HOME = 'https://www.nhsapp.service.nhs.uk/';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const STYLE =
  'body{font-family:Arial,sans-serif;font-size:19px;line-height:1.5;margin:0;color:#212b32;background:#f0f4f5}' +
  'main{max-width:40em;margin:0 auto;padding:2em 1em}h1{font-size:2em;line-height:1.2}' +
  'a{color:#005eb8}a:focus{background:#ffeb3b;color:#212b32;outline:4px solid transparent;box-shadow:0 -2px #ffeb3b,0 4px #212b32}' +
  '.reference{font-size:16px;color:#4c6272}button{font-size:19px;padding:.5em 1em}' +
  '.button{display:inline-block;font-weight:bold;color:#fff;background:#005eb8;padding:.5em 1em;text-decoration:none;border-radius:4px}' +
  '.button:hover{background:#003087}.button:focus{background:#ffeb3b;color:#212b32}';

export interface PageContent {
  title: string;
  /** Already-escaped HTML for the body of `<main>`, after the heading. */
  bodyHtml: string;
  reference?: string;
}

export function renderPage({ title, bodyHtml, reference }: PageContent): string {
  const ref = reference ? `\n<p class="reference">Reference: ${escapeHtml(reference)}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - NHS login</title>
<style>${STYLE}</style>
</head>
<body>
<main id="main-content">
<h1>${escapeHtml(title)}</h1>
${bodyHtml}${ref}
</main>
</body>
</html>
`;
}

const p = (text: string) => `<p>${escapeHtml(text)}</p>`;
const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;

export interface FailurePageOptions {
  nhsApp?: boolean;
  reference?: string;
  /** Where "Go to the start page" goes (`settings.startPath`). @default '/' */
  startPath?: string;
}

export function failurePage(page: FailurePage, options: FailurePageOptions = {}): string {
  const reference = options.reference;
  const start = `<p>${link(options.startPath ?? '/', 'Go to the start page')}</p>`;
  switch (page) {
    case 'bad-request':
      return renderPage({
        title: 'Sorry, there is a problem with this link',
        bodyHtml: `${p('The address you followed is not valid.')}\n${start}`,
        reference,
      });
    case 'sign-in-failed':
      return renderPage({
        title: 'Sorry, we could not sign you in',
        bodyHtml:
          p('Your sign-in could not be completed. This can happen if you took too long, used the back button, or opened the sign-in link twice.') +
          `\n<p>${link('/auth/login', 'Try signing in again')}</p>`,
        reference,
      });
    case 'no-consent':
      return noConsentPage(options.nhsApp ?? false, reference);
    case 'unavailable':
      return renderPage({
        title: 'Sorry, the service is unavailable',
        bodyHtml: p('You cannot sign in at the moment. Nothing has been saved.') + p('Try again later.'),
        reference,
      });
    case 'forbidden':
      return renderPage({
        title: 'Sorry, this request was refused',
        bodyHtml: `${p('The request did not come from this service, so it was not carried out.')}\n${start}`,
        reference,
      });
    case 'internal':
      return renderPage({
        title: 'Sorry, there is a problem with the service',
        bodyHtml: p('Try again later.'),
        reference,
      });
  }
}

/**
 * Shown when the user declines to share their NHS login details (`access_denied` / `ConsentNotGiven`). NHS login
 * requires it to point to NHS 111 online and 999, and to offer no back button of its own; in the NHS App it links
 * back to the app.
 */
export function noConsentPage(nhsApp: boolean, reference?: string): string {
  const back = nhsApp ? `\n<p>${link(NHS_APP_HOME, 'Go back to the NHS App')}</p>` : '';
  return renderPage({
    title: 'You cannot use this service without sharing your NHS login details',
    bodyHtml:
      p('You chose not to share your NHS login details with this service, so you have not been signed in.') +
      `\n<h2>If you need medical help</h2>\n<p>Use ${link(NHS_111_ONLINE, 'NHS 111 online')} or call 111.</p>` +
      `\n<p>In an emergency, call 999.</p>` +
      back,
    reference,
  });
}

/**
 * `GET /`: the public start page. What the service is, and one clear way in: a prominent link that starts the
 * sign-in (a link, not a form: signing in starts with a GET).
 */
export function startPage(): string {
  return renderPage({
    title: 'Sign in to use this service',
    bodyHtml:
      p('This service uses NHS login to check who you are, so that it can show you your own information and keep it safe.') +
      p('If you do not have an NHS login yet, you can create one when you sign in.') +
      `\n<p><a class="button" href="/auth/login">Sign in with NHS login</a></p>`,
  });
}

export function signedOutPage(): string {
  return renderPage({
    title: 'You have signed out',
    bodyHtml:
      p('You have signed out of this service.') +
      // NHS login has no logout: its own sign-in survives ours (docs/nhs-login.md, "Sessions and logout").
      p('You may still be signed in to NHS login. If you are using a shared device, close your browser.') +
      `\n<p>${link('/auth/login', 'Sign in again')}</p>`,
  });
}
