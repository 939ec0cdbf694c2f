import { ALLOWED } from '../regions';
import { denyTypes } from '../rule';

/**
 * Nothing of CloudFront: distributions terminate TLS at edge locations worldwide (the OIDC callback carries `code`
 * and `state` in its query string), Lambda@Edge and CloudFront Functions run at the edge, real-time logs and key
 * value stores are global.
 */
export const CloudFront = denyTypes(
  {
    id: 'UkResidency-CloudFront',
    info: 'No CloudFront resources (distributions, functions, Lambda@Edge associations, real-time logs).',
    explanation:
      'CloudFront terminates TLS and runs code at edge locations worldwide, so requests (including the OIDC ' +
      `callback's code and state, cookies and headers) are decrypted and processed outside ${ALLOWED}; ` +
      'it is exempt from the Control Tower region-deny. Serve the API from its regional endpoint instead.',
  },
  {},
  { 'AWS::CloudFront::': 'CloudFront is a global edge service that decrypts and processes requests worldwide' },
);
