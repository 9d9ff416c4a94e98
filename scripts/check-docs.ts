/**
 * The docs check CI runs: every relative link in the guides resolves (file and heading), and the
 * guides carry no lab notebook (no dates, seed numbers or "this machine" in their prose: those
 * belong in docs/results.md and the changelog), and every public function and class in the API
 * reference (`npm run docs` first) shows an example. With `--run`, the pages whose code blocks claim to
 * run as one script (RUNNABLE) are type-checked and run as written.
 *
 *   npx tsx scripts/check-docs.ts [--run]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** The Markdown files people read: the README, the contributor guide, the changelog, the models package's README and docs/. */
export function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => join(ROOT, 'docs', n));
  return [join(ROOT, 'README.md'), join(ROOT, 'CONTRIBUTING.md'), join(ROOT, 'CHANGELOG.md'), join(ROOT, 'models', 'README.md'), ...docs].filter(existsSync);
}

/** Pages that record measurements and history, where dates and seeds belong. */
const RECORDS = new Set(['CHANGELOG.md', 'docs/results.md', 'docs/results-isbi.md', 'docs/results-speed.md']);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown page's headings (repeated headings get -1, -2, ... as on GitHub). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCode(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading === null) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

/** The text with fenced code blocks blanked (lines kept, so line numbers stay). */
export function withoutCode(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** Prose only: code blocks and inline code removed (a flag such as `--seed 1` is not a result). */
const prose = (markdown: string): string => withoutInlineCode(withoutCode(markdown));

/** Inline code blanked, also where it wraps across lines (line breaks kept). */
const withoutInlineCode = (text: string): string => text.replace(/`[^`]*`/g, (code) => code.replace(/[^\n]/g, ' '));

/** What a guide's prose may not say: what belongs to the results and the changelog. */
const NOTEBOOK: readonly [RegExp, string][] = [
  [/\b20\d\d-\d\d-\d\d\b/, 'a date'],
  [/\bseeds? \d/i, 'a seed number'],
  [/\bthis (?:[\w-]+ )?machine\b/i, '"this machine"'],
  [/\bnot (?:run|measured) yet\b/i, '"not run yet"'],
];

/** Problems of one page: broken relative links, missing anchors, notebook prose. */
export function checkPage(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const name = relative(ROOT, path);
  const problems: string[] = [];
  const lines = withoutInlineCode(withoutCode(text)).split('\n');
  lines.forEach((line, i) => {
    const where = `${name}:${i + 1}`;
    for (const match of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const resolved = file === '' ? path : resolve(dirname(path), decodeURIComponent(file));
      if (!existsSync(resolved)) {
        problems.push(`${where}: the link ${target} names a file that does not exist`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && statSync(resolved).isFile() && !anchors(readFileSync(resolved, 'utf8')).has(anchor)) {
        problems.push(`${where}: the link ${target} names a heading that ${relative(ROOT, resolved)} does not have`);
      }
    }
  });
  if (!RECORDS.has(name)) {
    prose(text)
      .split('\n')
      .forEach((line, i) => {
        for (const [pattern, what] of NOTEBOOK) if (pattern.test(line)) problems.push(`${name}:${i + 1}: a guide states ${what} (results and history belong in docs/results.md or CHANGELOG.md): ${line.trim().slice(0, 100)}`);
      });
  }
  return problems;
}

/** Kinds of typedoc reflections that must show an example: functions and classes. */
const NEEDS_EXAMPLE: Readonly<Record<number, string>> = { 64: 'function', 128: 'class' };

interface Reflection {
  readonly name: string;
  readonly kind: number;
  readonly comment?: { readonly blockTags?: readonly { readonly tag: string }[] };
  readonly signatures?: readonly Reflection[];
  readonly children?: readonly Reflection[];
}

/** Exported functions and classes of the API reference (typedoc's JSON) whose TSDoc has no `@example`. */
export function withoutExamples(api: Reflection, path = ''): string[] {
  const hasExample = (r: Reflection) => r.comment?.blockTags?.some((t) => t.tag === '@example') === true;
  const here = `${path}${path === '' ? '' : '/'}${api.name}`;
  const own = NEEDS_EXAMPLE[api.kind] !== undefined && !hasExample(api) && !(api.signatures ?? []).some(hasExample) ? [`${here} (${NEEDS_EXAMPLE[api.kind]})`] : [];
  return [...own, ...(api.children ?? []).flatMap((child) => withoutExamples(child, here))];
}

/** The API reference's problems: public functions and classes without an example (needs `npm run docs` first). */
export function checkApi(): string[] {
  const file = join(ROOT, 'docs', 'api', 'api.json');
  if (!existsSync(file)) return ['docs/api/api.json is missing: run `npm run docs` before the docs check'];
  return withoutExamples(JSON.parse(readFileSync(file, 'utf8')) as Reflection).map((name) => `API reference: ${name} has no @example in its TSDoc`);
}

/** Pages whose TypeScript blocks, in order, form one script that runs as written. */
export const RUNNABLE = ['docs/getting-started.md'];

/** The TypeScript blocks of a page as one module: imports merged at the top, the rest in order. */
export function scriptOf(markdown: string): string {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (current === undefined && /^```(ts|typescript)\s*$/.test(line)) current = [];
    else if (current !== undefined && /^```\s*$/.test(line)) {
      blocks.push(current.join('\n'));
      current = undefined;
    } else current?.push(line);
  }
  const named = new Map<string, Set<string>>();
  const namespaces = new Set<string>();
  const body = blocks
    .join('\n')
    .replace(/^import\s+(\*\s+as\s+\w+|\{[^}]*\})\s+from\s+'([^']+)';[ \t]*$/gm, (_, what: string, from: string) => {
      if (what.startsWith('*')) namespaces.add(`import ${what} from '${from}';`);
      else {
        const names = named.get(from) ?? new Set<string>();
        for (const name of what.slice(1, -1).split(',')) if (name.trim() !== '') names.add(name.trim());
        named.set(from, names);
      }
      return '';
    });
  const imports = [...namespaces, ...[...named].map(([from, names]) => `import { ${[...names].join(', ')} } from '${from}';`)];
  return `${imports.join('\n')}\n${body}\n`;
}

/** Type-checks and runs each runnable page's script; returns the problems. */
export function runPages(): string[] {
  const dir = join(ROOT, 'scratch', 'docs-check');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noUnusedLocals: false }, include: ['*.ts'] }));
  const problems: string[] = [];
  for (const page of RUNNABLE) {
    const file = join(dir, `${basename(page, '.md')}.ts`);
    writeFileSync(file, scriptOf(readFileSync(join(ROOT, page), 'utf8')));
    const typed = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    if (typed.status !== 0) {
      problems.push(`${page}: its code does not type-check:\n${typed.stdout}${typed.stderr}`);
      continue;
    }
    const began = performance.now();
    const ran = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (ran.status !== 0) problems.push(`${page}: its code failed when run (${file}):\n${ran.stderr.slice(-3000)}`);
    else console.log(`${page}: its code ran in ${((performance.now() - began) / 1000).toFixed(0)} s\n${ran.stdout}`);
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = [...markdownFiles().flatMap(checkPage), ...checkApi(), ...(process.argv.includes('--run') ? runPages() : [])];
  for (const problem of problems) console.error(problem);
  console.log(problems.length === 0 ? `docs check: ${markdownFiles().length} pages, every relative link resolves, no notebook prose in the guides, every public function and class has an example` : `docs check: ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
