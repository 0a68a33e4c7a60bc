import { COMPOSITION_FILES, cyclesOf, folderGraph, importEdges, type ImportEdge } from './architecture/import-graph';

/**
 * The folders' dependency rules (docs/architecture.md "The folders and what may import what"; README
 * "How a request flows"), checked on the import statements of server/src. A failure names the
 * offending imports.
 */
const edges = importEdges();
const topFolder = (file: string): string => (file.includes('/') ? file.split('/')[0]! : file);
const describeEdges = (found: readonly ImportEdge[]) => found.map(({ from, to }) => `${from} → ${to}`);

describe('the server source folders', () => {
  it('core/ imports nothing of ours outside core/ (the features, the transport and the database stand on it)', () => {
    const outward = edges.filter((edge) => topFolder(edge.from) === 'core' && topFolder(edge.to) !== 'core');
    expect(describeEdges(outward)).toEqual([]);
  });

  it('has no import cycle that passes through core/', () => {
    const cycles = cyclesOf(folderGraph(edges, topFolder)).filter((cycle) => cycle.includes('core'));
    expect(cycles).toEqual([]);
  });

  it('db/ is ORM plumbing: besides the entity list it imports only core/ and the configuration', () => {
    const outward = edges.filter(
      (edge) =>
        topFolder(edge.from) === 'db' &&
        !COMPOSITION_FILES.includes(`${edge.from}.ts`) &&
        !['db', 'core', 'config', 'logger'].includes(topFolder(edge.to)),
    );
    expect(describeEdges(outward)).toEqual([]);
  });

  it('features reach the database only through core/ (never db/ or the seeders)', () => {
    const inward = edges.filter((edge) => topFolder(edge.from) === 'modules' && ['db', 'seed'].includes(topFolder(edge.to)));
    expect(describeEdges(inward)).toEqual([]);
  });

  it('is checked against real imports (the walk finds the composition files and core/ users)', () => {
    expect(edges.some((edge) => edge.from === 'graphql/resolvers' && edge.to.startsWith('modules/'))).toBe(true);
    expect(edges.filter((edge) => edge.to.startsWith('core/')).length).toBeGreaterThan(50);
  });
});
