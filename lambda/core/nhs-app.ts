/**
 * The NHS App opens partner services in its own web view, whose User-Agent carries `nhsapp-ios` or
 * `nhsapp-android`. Its web integration guidance asks services not to show their own NHS header and footer there
 * (the app draws its own navigation).
 */
const NHS_APP_MARKER = /\bnhsapp-(?:ios|android)\b/i;

export const isNhsAppUserAgent = (userAgent: string | undefined): boolean => userAgent !== undefined && NHS_APP_MARKER.test(userAgent);
