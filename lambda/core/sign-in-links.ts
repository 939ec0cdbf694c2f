import { validateReturnTo } from './return-to';

/**
 * The links the authorizer puts in a Deny's context (`signIn`, `stepUp`), which API Gateway copies raw into a JSON
 * string, an HTML attribute and a meta refresh (`lambda/core/gateway-responses.ts`). So every link here holds only
 * RFC 3986 unreserved characters, `/`, `?`, `=`, `&` and `%XX` escapes: nothing that could end a string or an
 * attribute, whatever the request path or query held.
 */

/** Lone surrogates (which `encodeURIComponent` refuses) become U+FFFD, as a well-formed string would have them. */
const wellFormed = (value: string) => value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** `encodeURIComponent`, also escaping `!'()*`: only unreserved characters and `%XX` remain. */
export function strictEncode(value: string): string {
  return encodeURIComponent(wellFormed(value)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Characters a path keeps as they are (RFC 3986 unreserved and `/`), and `%` when it starts an escape. */
const PATH_UNSAFE = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~/%]/gu;

/**
 * A request path made URL-safe: every other character is percent-encoded (UTF-8; sub-delimiters too, which API
 * Gateway decodes alike), escapes already there are kept and a stray `%` becomes `%25`.
 */
export function safePath(path: string): string {
  return wellFormed(path).replace(PATH_UNSAFE, strictEncode);
}

/**
 * Where to come back to after signing in: the path and query of the request (the query re-encoded from the values
 * API Gateway decoded), if `validateReturnTo` accepts it; else the path alone (a query too long, say); else `/`.
 */
export function returnToFor(path: string, query: ReadonlyArray<readonly [string, string]>): string {
  const p = safePath(path);
  const q = query.map(([k, v]) => `${strictEncode(k)}=${strictEncode(v)}`).join('&');
  for (const candidate of q ? [`${p}?${q}`, p] : [p]) {
    try {
      return validateReturnTo(candidate);
    } catch {
      // try the next, shorter candidate
    }
  }
  return '/';
}

/** A page's sign-in (and step-up) link: signs in at `profile`, then comes back to `returnTo`. */
export function signInLink(returnTo: string, profile: string): string {
  return `/auth/login?returnTo=${strictEncode(returnTo)}&assurance=${strictEncode(profile)}`;
}

/** An API's step-up hint: signs in at `profile`, and comes back to `returnTo` when there is one (GET requests). */
export function stepUpLink(profile: string, returnTo?: string): string {
  return `/auth/login?assurance=${strictEncode(profile)}${returnTo === undefined ? '' : `&returnTo=${strictEncode(returnTo)}`}`;
}
