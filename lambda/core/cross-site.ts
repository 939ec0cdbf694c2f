import { CrossSiteRequestError } from './errors';

/**
 * Refuses state-changing requests from other sites (OWASP CSRF cheat sheet, "Fetch Metadata" and "Verifying
 * origin with standard headers"). `Sec-Fetch-Site` is trusted when present: only `same-origin` (and `none`, a
 * user-initiated navigation) pass; `same-site` is refused because a sibling subdomain is not this service.
 * Without it, `Origin` must equal the service's origin (`null` is refused). Requests with neither header come
 * from non-browser clients, which cannot be used for cross-site request forgery, and pass.
 *
 * @throws CrossSiteRequestError with reason `cross_site_request`
 */
export function assertSameOrigin(headers: Readonly<Record<string, string | undefined>>, expectedOrigin: string): void {
  const fetchSite = headers['sec-fetch-site']?.trim().toLowerCase();
  const origin = headers.origin?.trim();
  if (fetchSite !== undefined && fetchSite !== '') {
    if (fetchSite === 'same-origin' || fetchSite === 'none') {
      if (origin === undefined || origin === expectedOrigin) return;
    }
    throw new CrossSiteRequestError('cross_site_request', 'Cross-site request refused');
  }
  if (origin === undefined) return;
  if (origin !== expectedOrigin) throw new CrossSiteRequestError('cross_site_request', 'Cross-site request refused');
}
