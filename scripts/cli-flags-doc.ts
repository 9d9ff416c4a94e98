/**
 * Writes the plan flag table of docs/cli.md from the CLI's own table (src/cli/plan-flags.ts),
 * between its markers. `test/cli/plan-flags.test.ts` fails when the page and the table differ.
 *
 *   npx tsx scripts/cli-flags-doc.ts
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planFlagsMarkdown } from '../src/cli/plan-flags.js';

export const BEGIN = '<!-- plan flags: written by scripts/cli-flags-doc.ts from src/cli/plan-flags.ts -->';
export const END = '<!-- end of plan flags -->';
export const PAGE = join(import.meta.dirname, '..', 'docs', 'cli.md');

/** The page with the generated table between the markers. */
export function withTable(page: string): string {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${PAGE} must hold the markers ${BEGIN} and ${END}`);
  return `${page.slice(0, begin + BEGIN.length)}\n${planFlagsMarkdown()}\n${page.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(`${PAGE}.tmp`, withTable(readFileSync(PAGE, 'utf8')));
  renameSync(`${PAGE}.tmp`, PAGE);
  console.log(`wrote the plan flags into ${PAGE}`);
}
