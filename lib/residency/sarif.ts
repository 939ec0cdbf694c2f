/**
 * The scan as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), so CI can upload residency
 * findings to code scanning: one result per finding, with its rule, message, the template (or manifest) it is in and
 * a logical location naming the stack and the logical id.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fillAllowed } from './regions';
import { ALL_RULES } from './rules';
import type { ResidencyScan } from './scanner';

/** The SARIF version written (SARIF 2.1.0, section 3.13.2). */
export const SARIF_VERSION = '2.1.0';

/** The schema URI a SARIF 2.1.0 log names (SARIF 2.1.0, section 3.13.3). */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Forward slashes, as URIs need (SARIF 2.1.0, section 3.4.3). */
const posix = (p: string) => p.split(path.sep).join('/');

/**
 * Builds the SARIF log of a scan. Artifact locations are relative to `baseDir` (SARIF 2.1.0, section 3.4.4:
 * `uriBaseId` `SRCROOT`, given in `originalUriBaseIds`), so that a scan of `cdk.out` run from the repository root
 * points at `cdk.out/<stack>.template.json`.
 *
 * @param baseDir the directory artifact URIs are relative to (the current directory when the command runs)
 */
export function toSarif(scan: ResidencyScan, baseDir: string): Record<string, unknown> {
  const rules = ALL_RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/^UkResidency-/, ''),
    shortDescription: { text: fillAllowed(r.info, scan.settings) },
    fullDescription: { text: fillAllowed(r.explanation, scan.settings) },
    defaultConfiguration: { level: 'error' },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  // A lone template's findings name the file itself; an assembly's name files inside it.
  const dir = scan.kind === 'assembly' ? scan.root : path.dirname(scan.root);
  const results = scan.findings.map((f) => {
    const file = path.resolve(dir, f.source);
    const relative = path.relative(baseDir, file);
    const inside = !relative.startsWith('..') && !path.isAbsolute(relative);
    const qualified = [f.stack, f.logicalId].filter((p) => p !== undefined).join('/');
    return {
      ruleId: f.ruleId,
      ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
      level: 'error',
      message: { text: `${f.logicalId} (${f.type}) ${f.path}: ${f.message}` },
      locations: [
        {
          physicalLocation: { artifactLocation: inside ? { uri: posix(relative), uriBaseId: 'SRCROOT' } : { uri: pathToFileURL(file).href } },
          logicalLocations: [{ name: f.logicalId, fullyQualifiedName: qualified, kind: f.type === 'Stack' ? 'module' : 'resource' }],
        },
      ],
      properties: { type: f.type, path: f.path, ...(f.region ? { region: f.region } : {}) },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver: { name: 'UkResidency', rules } },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(`${baseDir}${path.sep}`).href } },
        results,
      },
    ],
  };
}
