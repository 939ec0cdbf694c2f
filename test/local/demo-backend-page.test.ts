import { startDemoBackend, type DemoBackend } from '../../local/demo-backend';

/** The demo backend's one HTML page: a partner page that includes the session timeout warning and the settings link. */
let demo: DemoBackend;
beforeAll(async () => {
  demo = await startDemoBackend();
});
afterAll(() => demo?.stop());

describe('the demo backend signed-in page', () => {
  it('is HTML that includes the warning script with the one <script src> and links to NHS login settings', async () => {
    const res = await fetch(`${demo.url}/app/signed-in`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'; style-src 'self';/);
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain('<script src="/auth/assets/session-timeout.js" defer></script>');
    expect(html).toContain('href="/auth/nhs-login-settings"');
    expect(html).not.toMatch(/style=|<style|<script>/);
    expect(demo.received().at(-1)).toMatchObject({ method: 'GET', path: '/app/signed-in' });
  });

  it('answers every other path, and a POST to this one, with the JSON reply', async () => {
    for (const [path, method] of [
      ['/app/other', 'GET'],
      ['/app/signed-in', 'POST'],
    ] as const) {
      const res = await fetch(`${demo.url}${path}`, { method });
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toMatchObject({ backend: 'demo', method, path });
    }
  });
});
