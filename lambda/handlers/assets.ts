import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { assetResponse, IMMUTABLE_CACHE, REVALIDATE_CACHE, textResponse } from '../core/responses';
import { buildAssets, readAssetSources, type AssetSource, type ServedAsset } from '../pages/asset-sources';
import { lowerHeaders, toProxyResult } from './http';

/**
 * `GET /auth/assets/<file>`: nhsuk-frontend's CSS and JavaScript, the images they use, and the scripts partners
 * include (`lambda/pages/asset-sources.ts`). A fingerprinted name (`nhsuk-frontend.3f9a0c1b2d4e.css`) is cached for
 * a year; a stable name (`session-timeout.js`) is revalidated with its ETag every time, so a partner's one
 * `<script src>` always gets the current file. Served by this origin only: nothing a page uses comes from anywhere
 * else.
 *
 * The files are read and prepared once per container, on the first request. It needs nothing from the environment
 * (`options.sources` replaces the files in a test).
 */
export function makeHandler(options: { sources?: () => readonly AssetSource[] } = {}) {
  const sources = options.sources ?? readAssetSources;
  let served: Map<string, { asset: ServedAsset; cacheControl: string }> | undefined;
  const catalogue = () => {
    if (!served) {
      served = new Map();
      for (const asset of buildAssets(sources())) {
        served.set(asset.fingerprinted, { asset, cacheControl: IMMUTABLE_CACHE });
        served.set(asset.name, { asset, cacheControl: REVALIDATE_CACHE });
      }
    }
    return served;
  };
  return async (event: Pick<APIGatewayProxyEvent, 'pathParameters' | 'headers' | 'multiValueHeaders'>): Promise<APIGatewayProxyResult> => {
    const found = catalogue().get(event.pathParameters?.proxy ?? '');
    if (!found) return toProxyResult(textResponse(404, 'Not found'));
    const { asset, cacheControl } = found;
    const headers = { contentType: asset.contentType, etag: asset.etag, cacheControl };
    // RFC 9110 13.1.2: a matching If-None-Match (weak comparison) answers 304 with no body.
    const ifNoneMatch = lowerHeaders(event.headers, event.multiValueHeaders)['if-none-match'];
    const matches = ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === asset.etag || tag.trim() === '*');
    return toProxyResult(matches ? assetResponse(304, '', headers) : assetResponse(200, asset.body, headers));
  };
}

export const handler = makeHandler();
