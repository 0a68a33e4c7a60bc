import fs from 'node:fs';
import path from 'node:path';

export const SOURCE_ROOT = path.resolve(__dirname, '..', '..', 'src');

/** The files that list every feature's parts: they import the features by design. */
export const COMPOSITION_FILES = ['db/entities.ts', 'graphql/resolvers.ts', 'graphql/loaders.ts'];

export interface ImportEdge {
  from: string;
  to: string;
}

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT_SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)/g;

/** Every relative import between the server's source files, as paths relative to src/ without extension. */
export function importEdges(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(SOURCE_ROOT)) {
    const from = path.relative(SOURCE_ROOT, file).replace(/\.ts$/, '');
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT_SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (!specifier.startsWith('.')) continue;
      const to = path.relative(SOURCE_ROOT, path.resolve(path.dirname(file), specifier));
      edges.push({ from, to });
    }
  }
  return edges;
}

/** The folder a source file belongs to, at the level the architecture speaks of: `modules/<feature>`, or the top folder. */
export function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return '(root)';
  if (parts[0] === 'modules') return `modules/${parts[1]}`;
  return parts[0]!;
}

/** Cycles in a directed graph (each reported once, as the list of nodes on it). */
export function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const nodes = [...graph.keys()].sort();
  for (const start of nodes) {
    const stack: { node: string; path: string[] }[] = [{ node: start, path: [start] }];
    while (stack.length > 0) {
      const { node, path: trail } = stack.pop()!;
      for (const next of graph.get(node) ?? []) {
        if (next === start) {
          const key = [...trail].sort().join(' ');
          if (!seen.has(key)) {
            seen.add(key);
            cycles.push([...trail, start]);
          }
        } else if (!trail.includes(next) && next > start) {
          stack.push({ node: next, path: [...trail, next] });
        }
      }
    }
  }
  return cycles;
}

export function folderGraph(edges: readonly ImportEdge[], level: (file: string) => string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (COMPOSITION_FILES.includes(`${from}.ts`)) continue;
    const a = level(from);
    const b = level(to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  return graph;
}
