import type { APIGatewayProxyEvent } from 'aws-lambda';
import { makeHandler } from '../../../lambda/handlers/assets';
import { buildAssets, readAssetSources } from '../../../lambda/pages/asset-sources';
import { PAGE_ASSETS } from '../../../lambda/pages/render';

/** `GET /auth/assets/{proxy+}` over the real files. */
const handler = makeHandler();
const assets = buildAssets(readAssetSources());
const get = (file: string, headers: Record<string, string> = {}) =>
  handler({ pathParameters: { proxy: file }, headers, multiValueHeaders: {} } as unknown as APIGatewayProxyEvent);

describe('GET /auth/assets/<file>', () => {
  it('serves a fingerprinted name for a year, immutable, with its type and the protective headers', async () => {
    const css = assets.find((a) => a.name === 'nhsuk-frontend.css');
    const res = await get(css?.fingerprinted ?? '');
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'Cache-Control': 'public, max-age=31536000, immutable',
      'Content-Type': 'text/css; charset=utf-8',
      ETag: css?.etag,
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Referrer-Policy': 'no-referrer',
    });
    expect(res.body).toBe(css?.body);
  });

  it('serves a stable name revalidated with its ETag, and answers 304 to a matching If-None-Match', async () => {
    const res = await get('session-timeout.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Cache-Control']).toBe('no-cache');
    expect(res.headers?.['Content-Type']).toBe('text/javascript; charset=utf-8');
    const etag = String(res.headers?.ETag);
    expect(etag).toMatch(/^"[0-9a-f]{12}"$/);
    const again = await get('session-timeout.js', { 'If-None-Match': `W/"0000", ${etag}` });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers?.ETag).toBe(etag);
    expect((await get('session-timeout.js', { 'If-None-Match': '"0000"' })).statusCode).toBe(200);
  });

  it('serves every file the pages link to', async () => {
    for (const file of Object.values(PAGE_ASSETS)) expect([file, (await get(file)).statusCode]).toEqual([file, 200]);
  });

  it.each([['nothing-here.js'], ['../package.json'], ['nhsuk-frontend.000000000000.css'], ['']])('answers 404 for %j', async (file) => {
    const res = await get(file);
    expect(res.statusCode).toBe(404);
    expect(res.headers?.['Cache-Control']).toBe('no-store');
  });

  it('reads the files once per container', async () => {
    let reads = 0;
    const counting = makeHandler({
      sources: () => {
        reads += 1;
        return readAssetSources();
      },
    });
    for (let i = 0; i < 3; i++) await counting({ pathParameters: { proxy: 'session-timeout.js' }, headers: {}, multiValueHeaders: {} } as never);
    expect(reads).toBe(1);
  });
});
