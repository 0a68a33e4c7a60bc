import fs from 'node:fs';
import path from 'node:path';
import { COMPOSITION_FILES } from '../../server/test/architecture/import-graph';
import { REPOSITORY_ROOT, anchorOf, brokenReferences, documentationFiles } from './doc-references';

const read = (file: string) => fs.readFileSync(path.join(REPOSITORY_ROOT, file), 'utf8');

describe('the README and docs/', () => {
  const files = documentationFiles();

  it('cover the README and at least the docs it indexes', () => {
    expect(files).toContain('README.md');
    expect(files.filter((file) => file.startsWith('docs/')).length).toBeGreaterThan(5);
  });

  it.each(files)('%s: every relative link and every repository path in it resolves', (file) => {
    expect(brokenReferences(read(file), file)).toEqual([]);
  });

  it('the README stays a newcomer’s page: at most 200 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(200);
  });

  it("the README's checklist for a new feature names the composition files the architecture test knows", () => {
    const checklist = read('README.md').split('## Adding a feature')[1]?.split('\n## ')[0] ?? '';
    expect(COMPOSITION_FILES.filter((file) => !checklist.includes(`server/src/${file}`))).toEqual([]);
  });

  it('the README links every file in docs/', () => {
    const readme = read('README.md');
    const unlinked = files.filter((file) => file.startsWith('docs/') && !readme.includes(`](${file}`));
    expect(unlinked).toEqual([]);
  });
});

describe('the reference check itself', () => {
  const sample = [
    '# A page',
    'Start at [the README](../README.md) and [this page](#a-page), not [a lost part](#a-lost-part).',
    'See [nowhere](missing.md), [a lost anchor](../README.md#no-such-heading) and <https://example.com>.',
    'Config lives in `server/src/config.ts`, not in `server/src/settings.ts`; the route is `/graphql`.',
    'Policies: `server/src/modules/*/*.policy.ts`; none match `server/src/modules/*/*.nothing.ts`.',
    '```sh',
    'node server/dist/main.js',
    'node server/dist/no-such-entry.js',
    'python3 -m http.server 10086 -d miniprogram/dist/h5',
    '```',
    'A bare `config.ts` resolves, a bare `no-such-file.ts` does not; `pnpm test` is a command.',
  ].join('\n');

  it('reports exactly the links and paths that lead nowhere, with their lines', () => {
    expect(brokenReferences(sample, 'docs/sample.md').map(({ line, reference }) => ({ line, reference }))).toEqual([
      { line: 2, reference: '#a-lost-part' },
      { line: 3, reference: 'missing.md' },
      { line: 3, reference: '../README.md#no-such-heading' },
      { line: 4, reference: 'server/src/settings.ts' },
      { line: 5, reference: 'server/src/modules/*/*.nothing.ts' },
      { line: 8, reference: 'server/dist/no-such-entry.js' },
      { line: 11, reference: 'no-such-file.ts' },
    ]);
  });

  it('makes anchors the way GitHub does', () => {
    expect(anchorOf('Layout and how a request flows')).toBe('layout-and-how-a-request-flows');
    expect(anchorOf('`pnpm test`: what it needs')).toBe('pnpm-test-what-it-needs');
    expect(anchorOf('Who may do what (属地管理)')).toBe('who-may-do-what-属地管理');
  });
});
