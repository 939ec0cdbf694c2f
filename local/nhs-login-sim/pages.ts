/**
 * The simulator's pages in the NHS design system, with the same nhsuk-frontend templates and assets as the relying
 * party's pages (`lambda/pages/`), rendered from the template sources (the simulator is never deployed, so it does
 * not need the compiled ones) and its assets served by the simulator itself: the page loads nothing from any other
 * origin, as NHS login's pages would not load anything from the relying party's.
 */
import { buildAssets, readAssetSources, type ServedAsset } from '../../lambda/pages/asset-sources';
import { sourceEnvironment } from '../../lambda/pages/compile';

/** Where the simulator serves the assets its pages use. */
export const SIM_ASSET_PATH = '/assets';

export interface SimulatorPages {
  /** A page (`lambda/pages/views/<view>`) with the simulator's asset paths. */
  render(view: string, context: { title: string } & Record<string, unknown>): string;
  /** The headers of an HTML page; forms may go to the simulator and on to the given redirect URIs. */
  headers(): Record<string, string>;
  /** The asset a request path names (`/assets/<fingerprinted name>`), if any. */
  asset(path: string): ServedAsset | undefined;
}

export function simulatorPages(redirectUris: readonly string[]): SimulatorPages {
  const assets = buildAssets(readAssetSources());
  const byName = new Map(assets.map((a) => [a.fingerprinted, a]));
  const fingerprinted = (name: string) => assets.find((a) => a.name === name)?.fingerprinted ?? '';
  const manifest = { css: fingerprinted('nhsuk-frontend.css'), init: fingerprinted('nhsuk-init.js'), favicon: fingerprinted('favicon.svg') };
  const env = sourceEnvironment();
  // A form's redirect counts against form-action in Chromium: the sign-in answer goes on to the relying party.
  const formTargets = [...new Set(redirectUris.map((uri) => new URL(uri).origin))].join(' ');
  const csp = `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self' ${formTargets}; frame-ancestors 'none'; base-uri 'none'`;
  return {
    render: (view, context) =>
      env
        .render(view, { nhsApp: false, startPath: '/', ...context, assets: manifest, assetBase: SIM_ASSET_PATH })
        .replace(/\n[ \t]*(?=\n)/g, '')
        .trimStart(),
    headers: () => ({ 'Content-Security-Policy': csp, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }),
    asset: (path) => (path.startsWith(`${SIM_ASSET_PATH}/`) ? byName.get(path.slice(SIM_ASSET_PATH.length + 1)) : undefined),
  };
}
