/**
 * The files the service serves under its assets path: nhsuk-frontend's CSS and JavaScript (from the pinned
 * package), the images its CSS and the pages use, a module that initialises nhsuk-frontend, and every file in
 * `assets/` (scripts partners include). Each is served at its stable name (revalidated) and at a fingerprinted
 * name (cached for a year): `nhsuk-frontend.css` and `nhsuk-frontend.3f9a0c1b2d4e.css`.
 *
 * Nothing may load from another origin, so the CSS is served without nhsuk-frontend's `@font-face` rules (they
 * load the Frutiger font from assets.nhs.uk; the stack falls back to Arial, as NHS.UK does while the font loads),
 * its image URLs point at this service's own copies, and the build fails if any other URL is left.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PageAssetManifest } from './generated-types';

/** A served file as it was read (before the CSS and the init module are made). */
export interface AssetSource {
  readonly name: string;
  readonly body: Buffer;
}

export interface ServedAsset {
  /** The stable name (`nhsuk-frontend.css`). */
  readonly name: string;
  /** The name with the content's fingerprint (`nhsuk-frontend.3f9a0c1b2d4e.css`). */
  readonly fingerprinted: string;
  readonly contentType: string;
  readonly body: string;
  /** A strong ETag of the body (RFC 9110 8.8.3). */
  readonly etag: string;
}

const NHSUK_IMAGES = ['favicon.svg', 'nhsuk-icon-arrow-down.svg', 'nhsuk-icon-arrow-up-down.svg', 'nhsuk-icon-arrow-up.svg', 'nhsuk-icon-cross.svg'] as const;

/** Files from nhsuk-frontend's package, by served name (`dist/nhsuk/` paths). */
const NHSUK_FILES: Readonly<Record<string, string>> = {
  'nhsuk-frontend.css': 'nhsuk-frontend.min.css',
  'nhsuk-frontend.js': 'nhsuk-frontend.min.js',
  ...Object.fromEntries(NHSUK_IMAGES.map((image) => [image, `assets/images/${image}`])),
};

/**
 * The service's own files: every file in this folder is served (the session timeout script among them). From the
 * compiled library (`dist/lambda/pages/`) that is the package's own `lambda/pages/assets/`, which it ships. A
 * function, not a constant: a bundle has no `__dirname`, and reads its files from beside itself instead.
 */
export const ownAssetsDir = (): string =>
  [path.join(__dirname, 'assets'), path.resolve(__dirname, '..', '..', '..', 'lambda', 'pages', 'assets')].find((dir) => existsSync(dir)) ??
  path.join(__dirname, 'assets');

/** The generated module that starts nhsuk-frontend's components; it imports the fingerprinted library. */
const INIT_MODULE = 'nhsuk-init.js';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** What a function carries beside its bundle (`assets/<name>`), with where each file comes from. */
export function assetFilesToBundle(): Array<{ readonly source: string; readonly name: string }> {
  const nhsukDist = path.dirname(require.resolve('nhsuk-frontend/dist/nhsuk/template.njk'));
  return [
    ...Object.entries(NHSUK_FILES).map(([name, file]) => ({ name, source: path.join(nhsukDist, file) })),
    ...ownAssetNames().map((name) => ({ name, source: path.join(ownAssetsDir(), name) })),
  ];
}

function ownAssetNames(): string[] {
  const dir = ownAssetsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/**
 * The raw files: in Lambda from `assets/` beside the bundle (where `RelyingPartyFunction` copies them), elsewhere
 * from their sources.
 */
export function readAssetSources(bundledDir = bundledAssetsDir()): AssetSource[] {
  if (bundledDir) {
    return readdirSync(bundledDir)
      .sort()
      .map((name) => ({ name, body: readFileSync(path.join(bundledDir, name)) }));
  }
  return assetFilesToBundle().map(({ name, source }) => ({ name, body: readFileSync(source) }));
}

function bundledAssetsDir(): string | undefined {
  const root = process.env.LAMBDA_TASK_ROOT;
  return root ? path.join(root, 'assets') : undefined;
}

const fingerprint = (body: string) => createHash('sha256').update(body).digest('hex').slice(0, 12);

function served(name: string, body: string): ServedAsset {
  const ext = path.extname(name);
  const contentType = CONTENT_TYPES[ext];
  if (!contentType) throw new Error(`Asset ${name}: only ${Object.keys(CONTENT_TYPES).join(', ')} files are served`);
  if (!/^[a-z0-9][a-z0-9-]*\.[a-z]+$/.test(name)) throw new Error(`Asset ${name}: names are lower-case letters, digits and hyphens, and one extension`);
  const hash = fingerprint(body);
  return { name, fingerprinted: `${name.slice(0, -ext.length)}.${hash}${ext}`, contentType, body, etag: `"${hash}"` };
}

/** nhsuk-frontend's `@font-face` rules (the minified CSS has no nested braces inside them). */
const FONT_FACE = /@font-face\{[^}]*\}/g;
/** nhsuk-frontend's CSS names its images under its default asset path. */
const CSS_IMAGE = /url\(\/assets\/images\/([a-z0-9-]+\.svg)\)/g;
const SOURCE_MAP_COMMENT = /\n?\/[/*]# sourceMappingURL=[^\n]*\n?$/;
/** Any URL with a scheme or a network-path reference (`//host`): what must not be left in a served file. */
export const OTHER_ORIGIN_URL = /(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?\//i;

/**
 * Every served asset, made from the raw files: the CSS without web fonts and pointing at its images' fingerprinted
 * names, the library without its source map comment, and the init module. Throws on a file that names another
 * origin (an SVG's `xmlns` namespace is a name, not a request, and is allowed).
 */
export function buildAssets(sources: readonly AssetSource[]): ServedAsset[] {
  const raw = new Map(sources.map((s) => [s.name, s.body.toString('utf8')]));
  const take = (name: string) => {
    const body = raw.get(name);
    if (body === undefined) throw new Error(`Asset ${name} is missing`);
    raw.delete(name);
    return body;
  };
  const assets: ServedAsset[] = NHSUK_IMAGES.map((image) => served(image, take(image)));
  const byName = new Map(assets.map((a) => [a.name, a]));
  const css = take('nhsuk-frontend.css')
    .replace(SOURCE_MAP_COMMENT, '')
    .replace(FONT_FACE, '')
    .replace(CSS_IMAGE, (_m, image: string) => {
      const asset = byName.get(image);
      if (!asset) throw new Error(`nhsuk-frontend's CSS uses ${image}, which is not served`);
      return `url(${asset.fingerprinted})`;
    });
  const library = served('nhsuk-frontend.js', take('nhsuk-frontend.js').replace(SOURCE_MAP_COMMENT, ''));
  // The classes nhsuk-frontend's page template would set inline; a module script only runs where modules do.
  const init = served(
    INIT_MODULE,
    `import { initAll } from './${library.fingerprinted}';\n\ndocument.body.classList.add('js-enabled', 'nhsuk-frontend-supported');\ninitAll();\n`,
  );
  assets.push(served('nhsuk-frontend.css', css), library, init);
  for (const [name, body] of raw) assets.push(served(name, body));
  for (const asset of assets) {
    const withoutNamespaces = asset.body.replace(/xmlns(?::[a-z]+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');
    if (OTHER_ORIGIN_URL.test(withoutNamespaces)) throw new Error(`Asset ${asset.name} refers to another origin`);
  }
  return assets;
}

/** What the pages link to, by fingerprinted name. */
export function pageAssetManifest(sources: readonly AssetSource[]): PageAssetManifest {
  const assets = new Map(buildAssets(sources).map((a) => [a.name, a.fingerprinted]));
  const name = (n: string) => assets.get(n) ?? '';
  return { css: name('nhsuk-frontend.css'), init: name(INIT_MODULE), favicon: name('favicon.svg') };
}
