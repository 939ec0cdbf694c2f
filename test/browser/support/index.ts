/**
 * The browser tests' shared rig: Chromium (`launchChromium`), the local stack (`startBrowserStack`), axe-core
 * (`axeViolations`), screenshots (`screenshot`, into `SCREENSHOT_DIR`) and a network recorder (`recordNetwork`).
 */
export * from './axe';
export * from './chromium';
export * from './network';
export * from './screenshots';
export * from './sign-in';
export * from './stack';
