/*
 * Session timeout warning (WCAG 2.2 success criterion 2.2.1, Timing Adjustable; NHS login's rule that a web
 * service signs the user out after 30 minutes without activity and after 12 hours in all).
 *
 * Include it on any page of the service's origin:
 *   <script src="/auth/assets/session-timeout.js" defer></script>
 *
 * It reads GET /auth/session (which never extends the session). Two minutes before the session ends it shows a
 * modal warning (role="alertdialog", labelled and described, focus moved into it and returned afterwards):
 * - before the idle deadline: "Stay signed in" (POST /auth/session/refresh, which extends the session as activity
 *   does) or "Sign out" (POST /auth/logout). Escape closes the warning and stays signed in, as the timeout warnings
 *   of the GOV.UK and HMRC design systems do (the NHS service manual has no timeout pattern of its own), and the
 *   warning says so, so closing it never extends the session unannounced;
 * - before the absolute deadline, which nothing extends: it says so and offers "Sign in again" (ends this session
 *   and starts a new sign-in that comes back here), "Sign out" or "Continue" (Escape continues).
 * While it shows, the time left counts down; a re-read of the session re-times it, and turns it into the other
 * warning when the deadline that comes first changed (staying signed in cannot pass the absolute deadline).
 * When the session has ended it goes to /auth/timed-out?returnTo=<this page>. "This page" is its path and query
 * when the server's sign-in would accept that as returnTo (lambda/core/return-to.ts: at most 512 characters, not
 * under /auth/ but for /auth/nhs-login-settings), else its path alone, else /: an unacceptable returnTo would
 * show the bad link page instead.
 *
 * Several tabs: before warning and before leaving the page it reads the session again, so a tab that another tab
 * kept alive stays; tabs tell each other (BroadcastChannel, where the browser has it) when one is extended, and
 * when one signs out (a form posting to /auth/logout, the warning's own "Sign out" included), so the others go to
 * the signed-out page rather than later to the timed-out one.
 * A page without a session at load (a public page, say) shows nothing.
 *
 * Plain browser JavaScript with no dependencies. Styling uses nhsuk-frontend's classes and the element.style
 * property only (no style attributes in markup), so a Content-Security-Policy of style-src 'self' allows it.
 */
(() => {
  const SESSION_URL = '/auth/session';
  const REFRESH_URL = '/auth/session/refresh';
  const LOGOUT_URL = '/auth/logout';
  const TIMED_OUT_URL = '/auth/timed-out';
  const SIGNED_OUT_URL = '/auth/signed-out';
  const LOGIN_URL = '/auth/login';
  const WARN_BEFORE_MS = 2 * 60 * 1000;
  const CHANNEL = 'nhs-login-rp-session';
  const ID = 'nhs-login-rp-session-timeout';
  const EXTENDED = 'extended';
  const SIGNED_OUT = 'signed-out';

  /** The session as last read, with its deadlines on this device's clock (ms), or null. */
  let current = null;
  let warnTimer = 0;
  let endTimer = 0;
  let countdownTimer = 0;
  let dialog = null;
  /** Whether the dialog showing is the absolute-deadline one, and how it redraws its time left. */
  let dialogAbsolute = false;
  let updateCountdown = () => undefined;
  let returnFocusTo = null;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;

  // The server's returnTo rules (lambda/core/return-to.ts, validateReturnTo), mirrored exactly: a value it would
  // refuse sends the user to the bad link page instead of the timed-out page or the sign-in.
  const MAX_RETURN_TO_LENGTH = 512;
  const RETURNABLE_AUTH_PATHS = ['/auth/nhs-login-settings'];
  const LOCATION_UNSAFE = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu;
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the server refuses control characters, so this does
  const REFUSED_CHARACTERS = /[\u0000-\u0020\u007f-\u009f\u2028\u2029\\]/;

  /** Whether the server would accept `raw` as returnTo (as it arrives there, decoded from the query). */
  function returnable(raw) {
    if (raw.length > MAX_RETURN_TO_LENGTH || REFUSED_CHARACTERS.test(raw) || LONE_SURROGATE.test(raw)) return false;
    if (!raw.startsWith('/') || raw.startsWith('//')) return false;
    const location = raw.replace(LOCATION_UNSAFE, (c) => encodeURIComponent(c));
    if (location.length > MAX_RETURN_TO_LENGTH) return false;
    let url;
    try {
      url = new URL(location, window.location.origin);
    } catch {
      return false;
    }
    if (url.origin !== window.location.origin) return false;
    return !((url.pathname === '/auth' || url.pathname.startsWith('/auth/')) && !RETURNABLE_AUTH_PATHS.includes(url.pathname));
  }

  /** Where a new sign-in comes back to: this page's path and query, else its path alone, else the start. */
  const here = () => [`${window.location.pathname}${window.location.search}`, window.location.pathname].find(returnable) ?? '/';
  // The page leaves once: the warning's re-read and the end timer can both find the session gone, and a second
  // navigation would cancel the first one mid-flight.
  let leaving = false;
  const leave = (url) => {
    if (leaving) return;
    leaving = true;
    clearTimers();
    window.location.assign(url);
  };
  const timedOut = () => leave(`${TIMED_OUT_URL}?returnTo=${encodeURIComponent(here())}`);
  const signedOut = () => leave(SIGNED_OUT_URL);

  /** GET /auth/session: {status, session}, status 0 when the network failed. */
  async function readSession() {
    try {
      const res = await fetch(SESSION_URL, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      return { status: res.status, session: res.ok ? await res.json() : null };
    } catch {
      return { status: 0, session: null };
    }
  }

  /**
   * The deadlines on this device's clock: the server says how far away each is (`idleExpiresAt - now`), so a
   * device clock that is wrong does not move them.
   */
  function deadlines(session) {
    const received = Date.now();
    const serverNow = typeof session.now === 'number' ? session.now : Math.floor(received / 1000);
    const idleAt = received + (session.idleExpiresAt - serverNow) * 1000;
    const absoluteAt = received + (session.expiresAt - serverNow) * 1000;
    return { idleAt, absoluteAt, endsAt: Math.min(idleAt, absoluteAt), absolute: absoluteAt <= idleAt };
  }

  function clearTimers() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    window.clearInterval(countdownTimer);
  }

  /**
   * Times the warning and the end from a session read just now. Inside the last two minutes the warning shows at
   * once; a deadline that moved past them (another tab kept the session alive) closes a warning already shown.
   */
  function arm(session) {
    clearTimers();
    current = deadlines(session);
    const now = Date.now();
    const warnIn = current.endsAt - WARN_BEFORE_MS - now;
    endTimer = window.setTimeout(onEnd, Math.max(0, current.endsAt - now));
    if (warnIn > 0) {
      warnTimer = window.setTimeout(onWarn, warnIn);
      closeDialog();
    } else showDialog();
  }

  /** Reads the session again and re-arms from it: 'valid', 'gone' (401) or 'unknown' (no answer). */
  async function recheck() {
    const { status, session } = await readSession();
    if (status === 200 && session) {
      arm(session);
      return 'valid';
    }
    return status === 401 ? 'gone' : 'unknown';
  }

  /** Two minutes before the end: read again first (another tab may have extended it, or signed out). */
  async function onWarn() {
    const state = await recheck();
    if (state === 'gone') timedOut();
    else if (state === 'unknown') showDialog();
  }

  /** The end: unless another tab extended the session meanwhile, this page has timed out. */
  async function onEnd() {
    const state = await recheck();
    if (state === 'valid' && current.endsAt > Date.now()) return;
    clearTimers();
    timedOut();
  }

  function remainingText() {
    const ms = current ? current.endsAt - Date.now() : 0;
    if (ms < 60 * 1000) return 'less than a minute';
    const minutes = Math.ceil(ms / 60000);
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function button(label, secondary, onClick) {
    const b = element('button', secondary ? 'nhsuk-button nhsuk-button--secondary' : 'nhsuk-button', label);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }

  /**
   * The warning's buttons, in a form whose submit is "Sign out": the same POST the service's own sign-out form
   * sends (same origin; 303 to the signed-out page). The other buttons are plain buttons.
   */
  function actionsForm(buttons) {
    const form = element('form', 'nhsuk-button-group');
    form.method = 'post';
    form.action = LOGOUT_URL;
    const signOut = element('button', 'nhsuk-button nhsuk-button--secondary', 'Sign out');
    signOut.type = 'submit';
    const [first, ...rest] = buttons;
    form.append(first, signOut, ...rest);
    return form;
  }

  /** Redraws the time left now and every 5 seconds from now (any interval before is replaced). */
  function startCountdown() {
    window.clearInterval(countdownTimer);
    updateCountdown();
    countdownTimer = window.setInterval(updateCountdown, 5000);
  }

  /**
   * Shows the warning for the session as last read. One already showing keeps its place and focus and counts down
   * again from the new deadlines; one of the other kind (the first deadline is now the absolute one, or no longer)
   * is replaced.
   */
  function showDialog() {
    if (dialog && dialogAbsolute !== current.absolute) closeDialog();
    if (dialog) {
      startCountdown();
      return;
    }
    returnFocusTo = document.activeElement;
    const absolute = current.absolute;
    dialogAbsolute = absolute;
    dialog = element(typeof HTMLDialogElement === 'function' ? 'dialog' : 'div', 'nhsuk-u-padding-5');
    dialog.id = ID;
    dialog.setAttribute('role', 'alertdialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-labelledby', `${ID}-title`);
    dialog.setAttribute('aria-describedby', `${ID}-description`);
    Object.assign(dialog.style, { maxWidth: '34rem', width: 'calc(100% - 2rem)', boxSizing: 'border-box', border: '4px solid #212b32' });

    const title = element('h2', 'nhsuk-heading-m', absolute ? 'You will need to sign in again soon' : 'You will be signed out soon');
    title.id = `${ID}-title`;
    const description = element('div');
    description.id = `${ID}-description`;
    const when = element('p', 'nhsuk-body');
    // A live region is announced when its text changes, not when it is added: it is there, empty, from the start.
    const status = element('p', 'nhsuk-body');
    status.setAttribute('role', 'status');
    updateCountdown = () => {
      when.textContent = absolute
        ? `For your security, you can only stay signed in for a limited time. You will be signed out in ${remainingText()}, and this cannot be extended.`
        : `For your security, we will sign you out in ${remainingText()} if you do nothing.`;
    };
    description.appendChild(when);
    if (absolute) description.appendChild(element('p', 'nhsuk-body', 'Sign in again now to carry on without interruption.'));
    description.appendChild(element('p', 'nhsuk-body', absolute ? 'Pressing Escape closes this message.' : 'Pressing Escape also keeps you signed in.'));

    const actions = absolute
      ? actionsForm([button('Sign in again', false, () => void signInAgain()), button('Continue', true, closeDialog)])
      : actionsForm([button('Stay signed in', false, () => void staySignedIn(status))]);
    dialog.append(title, description, status, actions);
    dialog.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      if (absolute) closeDialog();
      else void staySignedIn(status);
    });
    // A native modal dialog answers Escape with `cancel`: handled above instead.
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    document.body.appendChild(dialog);
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else Object.assign(dialog.style, { position: 'fixed', top: '10%', left: '0', right: '0', margin: '0 auto', background: '#fff', zIndex: '1000' });
    startCountdown();
    actions.querySelector('button')?.focus();
  }

  function closeDialog() {
    if (!dialog) return;
    window.clearInterval(countdownTimer);
    updateCountdown = () => undefined;
    if (typeof dialog.close === 'function' && dialog.open) dialog.close();
    dialog.remove();
    dialog = null;
    if (returnFocusTo && typeof returnFocusTo.focus === 'function' && document.contains(returnFocusTo)) returnFocusTo.focus();
    returnFocusTo = null;
  }

  /** POST /auth/session/refresh: the session extended as activity extends it; the timers re-armed from the answer. */
  async function staySignedIn(status) {
    // Emptied first, so a second failure changes the text and is announced again.
    status.textContent = '';
    let res;
    let session = null;
    try {
      res = await fetch(REFRESH_URL, { method: 'POST', credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      if (res.ok) session = await res.json();
    } catch {
      res = null;
    }
    if (res?.status === 401) return timedOut();
    if (!session) {
      status.textContent = 'Sorry, we could not keep you signed in. Try again.';
      return;
    }
    // Closed before re-arming: a session that still ends within two minutes (the absolute deadline) then gets its
    // own warning at once, rather than having the old one closed over it.
    closeDialog();
    arm(session);
    channel?.postMessage(EXTENDED);
  }

  /** A sign-out this page sends (any form posting to /auth/logout): the other tabs are told, and sign out too. */
  function onSubmit(event) {
    const form = event.target;
    if (event.defaultPrevented || !form || form.tagName !== 'FORM') return;
    // A submit button may send the form elsewhere, or by another method (formaction, formmethod).
    const by = event.submitter;
    const method = by?.hasAttribute('formmethod') ? by.formMethod : form.method;
    if (String(method).toLowerCase() !== 'post') return;
    let action;
    try {
      action = new URL(by?.hasAttribute('formaction') ? by.formAction : form.action, window.location.href);
    } catch {
      return;
    }
    if (action.origin === window.location.origin && action.pathname === LOGOUT_URL) channel?.postMessage(SIGNED_OUT);
  }

  /** Ends this session (the next sign-in starts a new 12 hours), then signs in again and comes back here. */
  async function signInAgain() {
    try {
      await fetch(LOGOUT_URL, { method: 'POST', credentials: 'same-origin', redirect: 'manual' });
    } catch {
      // Signing in again replaces the session anyway.
    }
    window.location.assign(`${LOGIN_URL}?returnTo=${encodeURIComponent(here())}`);
  }

  async function start() {
    const { status, session } = await readSession();
    // No session at load: nothing to warn about (a public page, or the user is signed out).
    if (status !== 200 || !session) return;
    arm(session);
    if (channel) channel.onmessage = (event) => (event.data === SIGNED_OUT ? signedOut() : void recheck());
    // The bubbling phase on window runs after the page's own handlers, so a sign-out they cancel is not broadcast.
    window.addEventListener('submit', onSubmit);
    // Timers are slowed or stopped in background tabs and while the device sleeps: check again on return.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && current) void recheck().then((state) => (state === 'gone' ? timedOut() : undefined));
    });
  }

  void start();
})();
