import { assertSameOrigin } from '../../../lambda/core/cross-site';
import { CrossSiteRequestError } from '../../../lambda/core/errors';

const ORIGIN = 'https://signin.example.nhs.uk';

describe('assertSameOrigin', () => {
  it.each([
    [{ 'sec-fetch-site': 'same-origin', origin: ORIGIN }],
    [{ 'sec-fetch-site': 'same-origin' }],
    // A same-origin form post from a page with Referrer-Policy: no-referrer (what Chromium sends).
    [{ 'sec-fetch-site': 'same-origin', origin: 'null' }],
    [{ 'sec-fetch-site': 'none' }],
    [{ origin: ORIGIN }],
    [{}],
  ])('allows %j', (headers) => {
    expect(() => assertSameOrigin(headers, ORIGIN)).not.toThrow();
  });

  it.each([
    [{ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    [{ 'sec-fetch-site': 'cross-site' }],
    [{ 'sec-fetch-site': 'same-site', origin: 'https://other.example.nhs.uk' }],
    [{ 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }],
    [{ origin: 'https://evil.example' }],
    [{ origin: 'null' }],
    [{ 'sec-fetch-site': 'cross-site', origin: 'null' }],
    [{ origin: `${ORIGIN}.evil.example` }],
  ])('refuses %j', (headers) => {
    expect(() => assertSameOrigin(headers, ORIGIN)).toThrow(CrossSiteRequestError);
  });
});
