import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assetFilesToBundle, buildAssets, ownAssetsDir, readAssetSources, type AssetSource } from '../../../lambda/pages/asset-sources';

const sources = readAssetSources();
const assets = buildAssets(sources);
const byName = (name: string) => {
  const asset = assets.find((a) => a.name === name);
  if (!asset) throw new Error(`no ${name}`);
  return asset;
};
/** A URL with a scheme or `//host`, anywhere (an SVG's XML namespace names aside). */
const ANY_OTHER_ORIGIN = /(?:https?:)?\/\/(?!www\.w3\.org\/)[a-z0-9.-]+/gi;

describe('the served assets', () => {
  it("serve nhsuk-frontend's CSS without its web fonts, which would load from assets.nhs.uk", () => {
    const raw = readFileSync(assetFilesToBundle().find((f) => f.name === 'nhsuk-frontend.css')?.source ?? '', 'utf8');
    // The check below would pass on a CSS that never had them.
    expect(raw).toContain('@font-face');
    expect(raw).toContain('https://assets.nhs.uk/fonts/');
    const css = byName('nhsuk-frontend.css').body;
    expect(css.includes('@font-face')).toBe(false);
    expect(css.length).toBeGreaterThan(100_000);
  });

  it('name no other origin in any CSS, JavaScript or SVG served', () => {
    for (const asset of assets) expect([asset.name, asset.body.match(ANY_OTHER_ORIGIN)]).toEqual([asset.name, null]);
  });

  it("point the CSS's images at their fingerprinted copies, all served", () => {
    const css = byName('nhsuk-frontend.css').body;
    const images = [...css.matchAll(/url\(([^)]+)\)/g)].map((m) => m[1]).filter((u) => !u?.startsWith('data:'));
    expect(images.length).toBeGreaterThan(0);
    const fingerprinted = new Set(assets.map((a) => a.fingerprinted));
    for (const image of images) expect(fingerprinted.has(image ?? '')).toBe(true);
  });

  it('start nhsuk-frontend from a served module that imports the fingerprinted library', () => {
    const init = byName('nhsuk-init.js').body;
    expect(init).toContain(`from './${byName('nhsuk-frontend.js').fingerprinted}'`);
    expect(init).toContain('initAll()');
    for (const name of ['nhsuk-frontend.js', 'nhsuk-frontend.css']) expect([name, byName(name).body.includes('sourceMappingURL')]).toEqual([name, false]);
  });

  it('serve every file of lambda/pages/assets under its own name and a fingerprinted one', () => {
    const own = assetFilesToBundle().filter((f) => f.source.startsWith(`${ownAssetsDir()}${path.sep}`));
    expect(own.map((f) => f.name)).toContain('session-timeout.js');
    for (const { name, source } of own) {
      const asset = byName(name);
      expect(asset.body).toBe(readFileSync(source, 'utf8'));
      expect(asset.fingerprinted).toMatch(new RegExp(`^${name.replace(/\.js$/, '')}\\.[0-9a-f]{12}\\.js$`));
      expect(asset.contentType).toBe('text/javascript; charset=utf-8');
    }
  });

  it('fingerprint by content: the same files, the same names; a changed file, a new name', () => {
    expect(buildAssets(sources).map((a) => a.fingerprinted)).toEqual(assets.map((a) => a.fingerprinted));
    const changed = sources.map((s) => (s.name === 'session-timeout.js' ? { ...s, body: Buffer.concat([s.body, Buffer.from('\n')]) } : s));
    const before = byName('session-timeout.js').fingerprinted;
    expect(buildAssets(changed).find((a) => a.name === 'session-timeout.js')?.fingerprinted).not.toBe(before);
  });

  const withOwn = (file: AssetSource) => [...sources, file];
  it.each<[string, AssetSource, RegExp]>([
    [
      'a script that loads from a CDN',
      { name: 'widget.js', body: Buffer.from("import('https://cdn.example.com/x.js');") },
      /widget\.js refers to another origin/,
    ],
    [
      'a protocol-relative URL',
      { name: 'widget.css', body: Buffer.from('a{background:url(//cdn.example.com/x.png)}') },
      /widget\.css refers to another origin/,
    ],
    ['a file type it does not serve', { name: 'photo.png', body: Buffer.from('x') }, /only \.css, \.js, \.svg files are served/],
    ['a name with capitals', { name: 'Widget.js', body: Buffer.from('1') }, /names are lower-case/],
  ])('refuse %s', (_what, file, message) => {
    expect(() => buildAssets(withOwn(file))).toThrow(message);
  });

  it('refuse a CSS image that is not served', () => {
    const css = sources.map((s) =>
      s.name === 'nhsuk-frontend.css' ? { ...s, body: Buffer.from('a{background:url(/assets/images/nhsuk-icon-gone.svg)}') } : s,
    );
    expect(() => buildAssets(css)).toThrow(/uses nhsuk-icon-gone\.svg, which is not served/);
  });
});
