import { CrossSiteRequestError } from './errors';

/**
 * Refuses state-changing requests from other sites (OWASP CSRF cheat sheet, "Fetch Metadata" and "Verifying
 * origin with standard headers"). `Sec-Fetch-Site` is trusted when present: only `same-origin` (and `none`, a
 * user-initiated navigation) pass, with an `Origin` that is absent, this service's or `null` (the browser's
 * `Sec-Fetch-Site` vouches for an opaque origin); `same-site` is refused because a sibling subdomain is not this
 * service. Without `Sec-Fetch-Site`, `Origin` must equal the service's origin exactly, so there `null` is refused.
 * Requests with neither header come from non-browser clients, which cannot be used for cross-site request
 * forgery, and pass.
 *
 * @throws CrossSiteRequestError with reason `cross_site_request`
 */
export function assertSameOrigin(headers: Readonly<Record<string, string | undefined>>, expectedOrigin: string): void {
  const fetchSite = headers['sec-fetch-site']?.trim().toLowerCase();
  const origin = headers.origin?.trim();
  if (fetchSite !== undefined && fetchSite !== '') {
    if (fetchSite === 'same-origin' || fetchSite === 'none') {
      // `null` too: a page with `Referrer-Policy: no-referrer` (this service's own pages) sends `Origin: null` on
      // its form posts and fetches (Fetch, "serializing a request origin"); the browser's `Sec-Fetch-Site` vouches.
      if (origin === undefined || origin === 'null' || origin === expectedOrigin) return;
    }
    throw new CrossSiteRequestError('cross_site_request', 'Cross-site request refused');
  }
  if (origin === undefined) return;
  if (origin !== expectedOrigin) throw new CrossSiteRequestError('cross_site_request', 'Cross-site request refused');
}
