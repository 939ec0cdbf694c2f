/**
 * Renders the pages with nhsuk-frontend's own templates, compiled at build time (`compile.ts`, into
 * `generated.json`), on nunjucks' runtime without its compiler. A template's code becomes a function the first
 * time a page needs it, so a cold start pays for the templates it uses, once.
 */
import nunjucks from 'nunjucks/browser/nunjucks-slim.js';
import generated from './generated.json';
import type { GeneratedPages, PageAssetManifest, PageView } from './generated-types';

const pages = generated as GeneratedPages;

/** Where the assets are served (the assets function's route). */
export const ASSET_BASE = '/auth/assets';

/** The fingerprinted names the pages link to. */
export const PAGE_ASSETS: PageAssetManifest = pages.assets;

type TemplateProps = Record<string, unknown>;

function compiledTemplates(): Record<string, TemplateProps> {
  const cache = new Map<string, TemplateProps>();
  const target: Record<string, TemplateProps> = {};
  for (const name of Object.keys(pages.templates)) {
    Object.defineProperty(target, name, {
      enumerable: true,
      get: () => {
        let props = cache.get(name);
        if (!props) {
          // The code nunjucks' own Template would build from the source with `new Function`; here it was built earlier.
          props = new Function(pages.templates[name] ?? '')() as TemplateProps;
          cache.set(name, props);
        }
        return props;
      },
    });
  }
  return target;
}

let env: nunjucks.Environment | undefined;

function environment(): nunjucks.Environment {
  env ??= new nunjucks.Environment(new nunjucks.PrecompiledLoader(compiledTemplates() as never), { autoescape: true, throwOnUndefined: false });
  return env;
}

/** What every page gets: the NHS App mode, the start page the header links to, and the asset names. */
export interface BaseContext {
  /** In the NHS App: no NHS header or footer (the app draws its own). */
  readonly nhsApp: boolean;
  /** Where the header's logo goes. */
  readonly startPath: string;
  readonly title: string;
  /** A support reference, shown small at the end. */
  readonly reference?: string;
}

/**
 * One page as HTML. Values are escaped by the templates (autoescape); none of them is trusted markup. The blank
 * lines nhsuk-frontend's templates leave between tags are dropped (no page holds preformatted text).
 */
export function renderView(view: PageView, context: BaseContext & Record<string, unknown>): string {
  return environment()
    .render(view, { ...context, assets: PAGE_ASSETS, assetBase: ASSET_BASE })
    .replace(/\n[ \t]*(?=\n)/g, '')
    .trimStart();
}
