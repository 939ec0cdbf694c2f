import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * What may import what. Tests import product code, never the reverse: nothing outside `test/` imports from it (the
 * local stack and the simulator are product code in `local/`). Lambda code under `lambda/` imports only itself and
 * npm packages, so each bundle holds handler code and nothing of the CDK app.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const PRODUCT_FOLDERS = ['bin', 'lib', 'lambda', 'local', 'config', 'scripts'];

interface Offence {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly rule: string;
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/g;

/** Every relative import of every product file under `root` that crosses a boundary. */
function boundaryOffences(root: string): Offence[] {
  const offences: Offence[] = [];
  for (const folder of PRODUCT_FOLDERS) {
    for (const file of sourceFiles(path.join(root, folder))) {
      const rel = path.relative(root, file);
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((text, i) => {
          for (const match of text.matchAll(IMPORT)) {
            const specifier = match[1] ?? '';
            if (!specifier.startsWith('.')) continue;
            const target = path.relative(root, path.resolve(path.dirname(file), specifier)).split(path.sep)[0] ?? '';
            if (target === 'test') offences.push({ file: rel, line: i + 1, specifier, rule: 'product code imports from test/' });
            if (folder === 'lambda' && target !== 'lambda')
              offences.push({ file: rel, line: i + 1, specifier, rule: 'Lambda code imports from outside lambda/' });
          }
        });
    }
  }
  return offences;
}

describe('import boundaries', () => {
  it('hold in this repository', () => {
    const offences = boundaryOffences(ROOT).map((o) => `${o.file}:${o.line}: ${o.rule}: ${o.specifier}`);
    expect(offences).toEqual([]);
  });

  it('are really checked: a product file importing a test helper, and Lambda code importing the CDK app, both trip it', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rp-boundaries-'));
    for (const dir of ['local', 'lambda/handlers', 'lib', 'test/support']) mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, 'test/support/helper.ts'), 'export const x = 1;\n');
    writeFileSync(path.join(root, 'lib/table.ts'), 'export const y = 2;\n');
    writeFileSync(path.join(root, 'local/stack.ts'), "import { x } from '../test/support/helper';\nexport const z = x;\n");
    writeFileSync(
      path.join(root, 'lambda/handlers/login.ts'),
      "import { y } from '../../lib/table';\nconst lazy = () => import('../../test/support/helper');\n",
    );
    expect(boundaryOffences(root)).toEqual([
      { file: 'lambda/handlers/login.ts', line: 1, specifier: '../../lib/table', rule: 'Lambda code imports from outside lambda/' },
      { file: 'lambda/handlers/login.ts', line: 2, specifier: '../../test/support/helper', rule: 'product code imports from test/' },
      { file: 'lambda/handlers/login.ts', line: 2, specifier: '../../test/support/helper', rule: 'Lambda code imports from outside lambda/' },
      { file: 'local/stack.ts', line: 1, specifier: '../test/support/helper', rule: 'product code imports from test/' },
    ]);
  });
});
