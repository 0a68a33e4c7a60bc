import fs from 'node:fs';
import path from 'node:path';

/**
 * What the README and docs/ point at in the repository, and which of those pointers no longer lead
 * anywhere: relative Markdown links (with their #anchors) and repository paths written in backticks or
 * in code blocks (`server/src/config.ts`, `node server/dist/cli.js …`, `server/src/modules/*\/*.policy.ts`).
 */

export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

/** The repository's top-level folders: a word starting with one of them is a path from the root. */
const TOP_LEVEL_FOLDERS = ['server', 'shared', 'miniprogram', 'tests', 'docs', 'deploy', '.ci'];

/** Build output named in commands stands for the source it is compiled from. */
const COMPILED_FROM: readonly { output: string; source: string }[] = [
  { output: 'server/dist/', source: 'server/src/' },
  { output: 'shared/dist/', source: 'shared/src/' },
];

/** Extensions of the files a bare name (`config.ts`) or a partial path (`limits/cost.ts`) can mean. */
const FILE_NAME = /(^|\/)[^/.][^/]*\.(ts|tsx|mjs|cjs|js|json|md|graphql|ya?ml|scss|sh)$/;

/** Generated or local folders: never "repository files", and too large to walk. */
const NOT_IN_REPOSITORY = new Set(['node_modules', '.git', 'dist', 'data', 'coverage', '.test-results', 'artifacts', '.bench-build', '.swc', '.taro-cache']);

export interface BrokenReference {
  line: number;
  reference: string;
  problem: string;
}

let cachedFiles: readonly string[] | undefined;
let cachedIgnored: readonly RegExp[] | undefined;

/** The folders .gitignore names (`dist/`, `tests/artifacts/`): what is written there is output, not a repository file. */
function ignoredFolders(): readonly RegExp[] {
  if (cachedIgnored) return cachedIgnored;
  const lines = fs.readFileSync(path.join(REPOSITORY_ROOT, '.gitignore'), 'utf8').split('\n');
  cachedIgnored = lines
    .map((line) => line.trim())
    .filter((line) => line.endsWith('/') && !line.startsWith('#') && !line.startsWith('!'))
    .map((folder) => {
      const name = escapeRegExp(folder.replace(/^\//, ''));
      return new RegExp(folder.slice(0, -1).includes('/') ? `^${name}` : `(^|/)${name}`);
    });
  return cachedIgnored;
}

const isOutput = (reference: string) => ignoredFolders().some((folder) => folder.test(reference));

/** Every file and folder of the working tree (paths from the root, folders ending in `/`), generated ones left out. */
export function repositoryEntries(): readonly string[] {
  if (cachedFiles) return cachedFiles;
  const entries: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(REPOSITORY_ROOT, relative), { withFileTypes: true })) {
      if (NOT_IN_REPOSITORY.has(entry.name) || entry.name.endsWith('.tsbuildinfo')) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        entries.push(`${child}/`);
        walk(child);
      } else {
        entries.push(child);
      }
    }
  };
  walk('');
  cachedFiles = entries;
  return entries;
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `*`, `**` and `<placeholder>` as the source of a regular expression over repository paths. */
function patternSource(reference: string): string {
  return reference
    .split(/(\*\*|\*|<[^>]+>)/)
    .map((part) => {
      if (part === '**') return '.*';
      if (part === '*') return '[^/]*';
      if (/^<[^>]+>$/.test(part)) return '[^/]+';
      return escapeRegExp(part);
    })
    .join('');
}

const hasWildcard = (reference: string) => /\*|<[^>]+>/.test(reference);

/** Whether some repository entry matches: the whole path from the root, or (asSuffix) its end. */
function someEntryMatches(reference: string, asSuffix: boolean): boolean {
  const pattern = new RegExp(`${asSuffix ? '(^|/)' : '^'}${patternSource(reference)}/?$`);
  return repositoryEntries().some((entry) => pattern.test(entry));
}

/** Whether a path from the root names something in the repository (a pattern: at least one thing). */
function existsFromRoot(reference: string): boolean {
  if (hasWildcard(reference)) return someEntryMatches(reference, false);
  const absolute = path.join(REPOSITORY_ROOT, reference);
  if (!fs.existsSync(absolute)) return false;
  return !reference.endsWith('/') || fs.statSync(absolute).isDirectory();
}

/** Whether a partial path or bare file name is the end of some repository file's path (`.js`: or of its `.ts` source). */
function existsAsSuffix(reference: string): boolean {
  const candidates = reference.endsWith('.js') ? [reference, reference.replace(/\.js$/, '.ts')] : [reference];
  return candidates.some((candidate) => someEntryMatches(candidate, true));
}

/** A word of code without the punctuation around it. */
const pathIn = (word: string) => word.replace(/^[('"[]+|[)'",;:.\]]+$/g, '').replace(/^\.\//, '');

/**
 * The problem with one word of code, if it is a repository path that leads nowhere; undefined when it
 * resolves or is not a repository path at all (a command, a URL, an HTTP route, an absolute path).
 */
export function problemWithPath(word: string, fromFile = 'README.md'): string | undefined {
  const reference = pathIn(word);
  if (reference === '' || reference.includes('://') || reference.startsWith('/') || reference.startsWith('$')) return undefined;
  const compiled = COMPILED_FROM.find(({ output }) => reference.startsWith(output));
  if (compiled) {
    const source = compiled.source + reference.slice(compiled.output.length).replace(/\.js$/, '.ts');
    return existsFromRoot(source) ? undefined : `built from ${source}, which does not exist`;
  }
  if (isOutput(reference)) return undefined; // build output, test artifacts, local data
  const fromHere = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), reference));
  const isRepositoryPath = reference.includes('/') && TOP_LEVEL_FOLDERS.includes(reference.split('/')[0]!);
  if (isRepositoryPath) return existsFromRoot(reference) ? undefined : 'no such path in the repository';
  if (FILE_NAME.test(reference) && !reference.startsWith('@')) {
    if (existsFromRoot(fromHere) || existsFromRoot(reference) || existsAsSuffix(reference)) return undefined;
    return 'no repository file has this name';
  }
  return undefined;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown text's headings (repeated headings get -1, -2 as on GitHub). */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const anchor = anchorOf(heading[1]!);
    const count = seen.get(anchor) ?? 0;
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
    seen.set(anchor, count + 1);
  }
  return anchors;
}

interface NumberedLine {
  line: number;
  text: string;
}

/** The lines outside fenced code blocks. */
function proseLines(markdown: string): NumberedLine[] {
  return splitByFence(markdown).prose;
}

function splitByFence(markdown: string): { prose: NumberedLine[]; code: NumberedLine[] } {
  const prose: NumberedLine[] = [];
  const code: NumberedLine[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const marker = /^\s*(```+|~~~+)/.exec(text)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    (fence === undefined ? prose : code).push({ line: index + 1, text });
  });
  return { prose, code };
}

function problemWithLink(target: string, fromFile: string, markdown: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // http:, https:, mailto:
  const [filePart, anchor] = target.split('#', 2) as [string, string | undefined];
  if (filePart === '') return anchor && !anchorsOf(markdown).has(decodeURI(anchor)) ? `no heading with the anchor #${anchor} here` : undefined;
  const targetFile = path.normalize(path.join(path.dirname(fromFile), decodeURI(filePart)));
  if (targetFile.startsWith('..')) return 'leads outside the repository';
  const absolute = path.join(REPOSITORY_ROOT, targetFile);
  if (!fs.existsSync(absolute)) return 'no such file';
  if (anchor && targetFile.endsWith('.md') && !anchorsOf(fs.readFileSync(absolute, 'utf8')).has(decodeURI(anchor))) {
    return `no heading with the anchor #${anchor} in ${targetFile}`;
  }
  return undefined;
}

/**
 * Every link and repository path in a Markdown text that does not resolve. `fromFile` is the text's
 * path from the repository root: relative links resolve against its folder, paths against the root.
 */
export function brokenReferences(markdown: string, fromFile: string): BrokenReference[] {
  const broken: BrokenReference[] = [];
  const { prose, code } = splitByFence(markdown);
  for (const { line, text } of prose) {
    const spans = [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
    for (const span of spans) {
      for (const word of span.split(/\s+/)) {
        const problem = problemWithPath(word, fromFile);
        if (problem) broken.push({ line, reference: pathIn(word), problem });
      }
    }
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const problem = problemWithLink(match[1]!, fromFile, markdown);
      if (problem) broken.push({ line, reference: match[1]!, problem });
    }
  }
  for (const { line, text } of code) {
    for (const word of text.split(/\s+/)) {
      const problem = problemWithPath(word, fromFile);
      if (problem) broken.push({ line, reference: pathIn(word), problem });
    }
  }
  return broken.sort((a, b) => a.line - b.line);
}

/** The Markdown files this check covers: the README, everything under docs/, and the packages' own READMEs the docs point to. */
export function documentationFiles(): string[] {
  return repositoryEntries()
    .filter((entry) => (entry.startsWith('docs/') && entry.endsWith('.md')) || entry === 'README.md' || entry.endsWith('/README.md'))
    .sort();
}
