/**
 * `npm run build:pages`: compiles the page templates and fingerprints the assets the pages link to, into
 * `lambda/pages/generated.json` (see `lambda/pages/compile.ts`). Run it after changing a view, an asset or the
 * nhsuk-frontend version; a test fails until the file matches.
 */
import { writeFileSync } from 'node:fs';
import { GENERATED_FILE, generatePages, serialiseGenerated } from '../lambda/pages/compile';

writeFileSync(GENERATED_FILE, serialiseGenerated(generatePages()));
process.stdout.write(`wrote ${GENERATED_FILE}\n`);
