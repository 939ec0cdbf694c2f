/**
 * The repository explains itself: code, configuration and READMEs point only at documents inside it (the project's
 * own docs live in `docs/`), every relative Markdown link in the READMEs and in `docs/` resolves, and every section
 * of `docs/` that a code comment cites exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

/** Pointers at documents that are not in this repository. Each hit is reported with its file and line. */
const OUTSIDE_POINTERS: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  { what: 'DESIGN.md', pattern: /DESIGN\.md/ },
  // `DESIGN "Sessions"` and the like: the same document without its extension (the project's is docs/design.md).
  { what: 'DESIGN (without .md)', pattern: /\bDESIGN\b(?!\.md)/ },
  { what: 'nhs-login.md without the docs/ prefix', pattern: /(?<!docs\/)nhs-login\.md/ },
  { what: 'STYLE.md', pattern: /STYLE\.md/ },
  { what: '../shared', pattern: /\.\.\/shared/ },
  { what: 'shared/reference', pattern: /shared\/reference/ },
];

/** Folders whose files may name anything (tests and their fixtures, and the docs themselves). */
const EXEMPT_DIRS = ['test/', 'docs/', 'node_modules/', 'cdk.out'];
/** Generated, and never hand-edited. */
const EXEMPT_FILES = new Set(['package-lock.json']);

/** Where the project's source lives when git cannot list it (e.g. an exported tarball). */
const SOURCE_DIRS = ['bin', 'lib', 'lambda', 'local', 'config', 'scripts'];
const ROOT_FILES = ['README.md', 'package.json'];

/** Tracked files plus new files not yet added (but not ignored ones), that still exist in the working tree. */
function projectFiles(): string[] {
  let listed: string[];
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f !== '');
  } catch {
    listed = [...ROOT_FILES, ...SOURCE_DIRS.flatMap((d) => walk(d))];
  }
  return [...new Set(listed)]
    .filter((f) => !EXEMPT_DIRS.some((d) => f.startsWith(d)) && !EXEMPT_FILES.has(f))
    .filter((f) => {
      const full = path.join(root, f);
      return existsSync(full) && statSync(full).isFile();
    })
    .sort();
}

function walk(dir: string): string[] {
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(rel);
    return e.isFile() ? [rel] : [];
  });
}

/** Text content, or undefined for binary files. */
function readText(file: string): string | undefined {
  const buffer = readFileSync(path.join(root, file));
  return buffer.subarray(0, 8000).includes(0) ? undefined : buffer.toString('utf8');
}

/** The Markdown files whose links must resolve: every README (the top-level one first) and everything in docs/. */
function markdownWithCheckedLinks(): string[] {
  const docs = existsSync(path.join(root, 'docs'))
    ? readdirSync(path.join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`)
    : [];
  const readmes = projectFiles().filter((f) => f !== 'README.md' && path.basename(f) === 'README.md');
  return [...new Set(['README.md', ...docs.sort(), ...readmes])];
}

/** GitHub's heading anchors: lower-case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(text);
    if (!m) continue;
    const base = m[1]!
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Lines outside fenced code blocks, numbered from 1. */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const m = /^\s*(```|~~~)/.exec(text);
    if (m) {
      if (fence === undefined) fence = m[1];
      else if (fence === m[1]) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: i + 1, text });
  });
  return out;
}

/** Link targets on a line: inline links and images, and reference definitions; code spans are not links. */
function linkTargets(text: string): string[] {
  const prose = text.replace(/`[^`]*`/g, '');
  const targets: string[] = [];
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  const ref = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose);
  if (ref) targets.push(ref[1]!);
  return targets;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

describe('the repository is self-contained', () => {
  it('no source file outside test/ and docs/ points at a document outside the repository', () => {
    const offences: string[] = [];
    for (const file of projectFiles()) {
      const text = readText(file);
      if (text === undefined) continue;
      text.split('\n').forEach((line, i) => {
        for (const { what, pattern } of OUTSIDE_POINTERS) {
          if (pattern.test(line)) offences.push(`${file}:${i + 1}: mentions ${what}: ${line.trim().slice(0, 160)}`);
        }
      });
    }
    expect(offences).toEqual([]);
  });

  it('every relative link in the READMEs and docs/*.md points at a file (and heading) that exists', () => {
    const offences: string[] = [];
    for (const file of markdownWithCheckedLinks()) {
      const full = path.join(root, file);
      if (!existsSync(full)) continue;
      const markdown = readFileSync(full, 'utf8');
      for (const { line, text } of proseLines(markdown)) {
        for (const target of linkTargets(text)) {
          if (isExternal(target)) continue;
          const [rawPath = '', anchor] = target.split('#', 2);
          const filePart = decodeURI(rawPath.split('?')[0]!);
          const resolved = filePart === '' ? full : path.resolve(path.dirname(full), filePart);
          const shown = path.relative(root, resolved) || '.';
          if (!existsSync(resolved)) {
            offences.push(`${file}:${line}: links to ${target}, but ${shown} does not exist`);
          } else if (anchor && resolved.endsWith('.md') && !headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) {
            offences.push(`${file}:${line}: links to ${target}, but ${shown} has no heading #${anchor}`);
          }
        }
      }
    }
    expect(offences).toEqual([]);
  });

  it('code that cites a section of docs/ names a heading that exists', () => {
    const offences: string[] = [];
    for (const file of projectFiles()) {
      const text = readText(file);
      if (text === undefined) continue;
      text.split('\n').forEach((line, i) => {
        // `docs/nhs-login.md, "Sessions and logout"` and `docs/design.md#routes`.
        for (const m of line.matchAll(/docs\/([\w.-]+\.md)(?:#([\w-]+)|`?,?\s+"([^"]+)")/g)) {
          const doc = path.join(root, 'docs', m[1]!);
          const where = `${file}:${i + 1}`;
          if (!existsSync(doc)) {
            offences.push(`${where}: cites docs/${m[1]}, which does not exist`);
            continue;
          }
          const markdown = readFileSync(doc, 'utf8');
          const anchor = m[2] ?? [...headingAnchors(`## ${m[3]}`)][0]!;
          if (!headingAnchors(markdown).has(anchor)) {
            offences.push(`${where}: cites docs/${m[1]} "${m[2] ?? m[3]}", which has no such heading`);
          }
        }
      });
    }
    expect(offences).toEqual([]);
  });
});
