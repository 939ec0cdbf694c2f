/**
 * Build step, never bundled into a function: compiles the page templates (`views/`, and the nhsuk-frontend
 * templates they use) to nunjucks' JavaScript, and fingerprints the assets the pages link to, into
 * `generated.json`. Compiling nhsuk-frontend's header and footer takes a few hundred milliseconds, too long for a
 * cold start; running the compiled code takes about one. `npm run build:pages` writes the file, and a test fails
 * when it is not what this step makes from the sources.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { transformSync } from 'esbuild';
import nunjucks from 'nunjucks';
import { pageAssetManifest, readAssetSources } from './asset-sources';
import { PAGE_VIEWS, type GeneratedPages } from './generated-types';

export const VIEWS_DIR = path.join(__dirname, 'views');
export const GENERATED_FILE = path.join(__dirname, 'generated.json');
/** Where nhsuk-frontend's templates are named from (`nhsuk/components/...`). */
const NHSUK_DIST = path.dirname(path.dirname(require.resolve('nhsuk-frontend/dist/nhsuk/template.njk')));

/**
 * nhsuk-frontend's page template sets its `js-enabled` class with an inline script, which the pages' CSP refuses;
 * the served init script sets the same classes instead. Removed from the source, exactly once, or the build fails.
 */
const INLINE_SCRIPT = /^\s*<script[^>]*>document\.body\.className \+= [^<]*<\/script>\n/m;

/** nhsuk-frontend's page template without its inline script; throws when the script is not there to remove. */
export function withoutInlineScript(pageTemplate: string): string {
  if (!INLINE_SCRIPT.test(pageTemplate))
    throw new Error('nhsuk/template.njk no longer has the inline js-enabled script this build removes; review the page template');
  return pageTemplate.replace(INLINE_SCRIPT, '');
}

/** A template's source by its name: `nhsuk/...` from nhsuk-frontend's package, the rest from `views/`. */
export function templateSource(name: string): string {
  const file = name.startsWith('nhsuk/') ? path.join(NHSUK_DIST, name) : path.join(VIEWS_DIR, name);
  const source = readFileSync(file, 'utf8');
  return name === 'nhsuk/template.njk' ? withoutInlineScript(source) : source;
}

/** Names a template refers to: `extends`, `include`, `import` and `from ... import` with a literal name. */
const REFERENCE = /\{%-?\s*(?:from|import|include|extends)\s+"([^"]+)"/g;

/** The views and every template they reach, by their literal references (nhsuk-frontend names templates absolutely). */
export function templatesUsed(views: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const match of templateSource(name).matchAll(REFERENCE)) if (match[1]) visit(match[1]);
  };
  for (const view of views) visit(view);
  return [...seen].sort();
}

/**
 * One template compiled to the code nunjucks' own `Template` would build from its source (the body of a function
 * returning the template's blocks), minified: it only refers to its parameters and nunjucks' runtime objects.
 */
function compiled(name: string): string {
  const wrapper = (templates: Array<{ name: string; template: string }>) => templates[0]?.template ?? '';
  const code = nunjucks.precompileString(templateSource(name), {
    name,
    env: new nunjucks.Environment([], { autoescape: true }),
    wrapper,
  } as unknown as nunjucks.PrecompileOptions);
  const minified = transformSync(`function t(){${code}}`, { minify: true, target: 'es2022' }).code.trim();
  const body = /^function t\(\)\{([\s\S]*)\}$/.exec(minified)?.[1];
  if (body === undefined) throw new Error(`Template ${name}: unexpected minifier output`);
  return body;
}

/** Reads the templates from their sources (the local simulator's page, which is never deployed, renders this way). */
class SourceLoader extends nunjucks.Loader implements nunjucks.ILoader {
  getSource(name: string): nunjucks.LoaderSource {
    return { src: templateSource(name), path: name, noCache: false };
  }
}

/** A nunjucks environment over the sources: slow to start, for pages outside the functions. */
export function sourceEnvironment(): nunjucks.Environment {
  return new nunjucks.Environment(new SourceLoader(), { autoescape: true });
}

/** What `generated.json` must hold for the current sources. */
export function generatePages(): GeneratedPages {
  const names = templatesUsed(PAGE_VIEWS);
  return { assets: pageAssetManifest(readAssetSources()), templates: Object.fromEntries(names.map((name) => [name, compiled(name)])) };
}

/** `generated.json` as written: stable key order, two-space JSON, a final newline (what the formatter keeps). */
export const serialiseGenerated = (generated: GeneratedPages): string => `${JSON.stringify(generated, null, 2)}\n`;
