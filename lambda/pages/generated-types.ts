/** The views the service renders (each `views/<name>`); the build compiles these and every template they use. */
export const PAGE_VIEWS = ['start.njk', 'signed-out.njk', 'timed-out.njk', 'no-consent.njk', 'message.njk', 'gateway.njk'] as const;
export type PageView = (typeof PAGE_VIEWS)[number];

/** The fingerprinted file names (under the assets path) every page links to. */
export interface PageAssetManifest {
  readonly css: string;
  /** The module that loads nhsuk-frontend's JavaScript and initialises its components. */
  readonly init: string;
  readonly favicon: string;
}

/** `generated.json`: what the build step (`compile.ts`) makes of the templates and assets. */
export interface GeneratedPages {
  readonly assets: PageAssetManifest;
  /** Template name -> the JavaScript nunjucks compiles it to (the body of a function returning its blocks). */
  readonly templates: Readonly<Record<string, string>>;
}
