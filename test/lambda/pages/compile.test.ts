import { readFileSync } from 'node:fs';
import { GENERATED_FILE, generatePages, serialiseGenerated, templatesUsed, withoutInlineScript } from '../../../lambda/pages/compile';
import { PAGE_VIEWS } from '../../../lambda/pages/generated-types';

/**
 * `lambda/pages/generated.json` is what the build step makes of the sources: the compiled templates (nhsuk-frontend's
 * and the views) and the fingerprints of the assets the pages link to. Regenerate with `npm run build:pages`.
 */
describe('the page build', () => {
  it('generated.json is up to date with the views, nhsuk-frontend and the assets (npm run build:pages)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(serialiseGenerated(generatePages()));
  });

  it('compiles every view and every nhsuk-frontend template they reach, and nothing else', () => {
    const names = templatesUsed(PAGE_VIEWS);
    for (const view of PAGE_VIEWS) expect(names).toContain(view);
    for (const reached of ['layout.njk', 'nhsuk/template.njk', 'nhsuk/components/header/template.njk', 'nhsuk/components/button/template.njk']) {
      expect(names).toContain(reached);
    }
    // The simulator's page is rendered from the sources; its form components are not shipped to the functions.
    expect(names).not.toContain('choose-user.njk');
    expect(names).not.toContain('nhsuk/components/radios/template.njk');
    expect(Object.keys(generatePages().templates).sort()).toEqual(names);
  });

  it("removes nhsuk-frontend's inline script (the CSP refuses inline scripts), and fails when it is no longer there", () => {
    const template = "<body>\n    <script>document.body.className += ' js-enabled';</script>\n    {% block bodyStart %}{% endblock %}\n";
    expect(withoutInlineScript(template)).toBe('<body>\n    {% block bodyStart %}{% endblock %}\n');
    expect(() => withoutInlineScript('<body>\n{% block bodyStart %}{% endblock %}\n')).toThrow(/no longer has the inline js-enabled script/);
  });
});
