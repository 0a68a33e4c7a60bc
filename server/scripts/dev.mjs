// `pnpm dev`: compile on change (tsc -b --watch) and restart the server when its output changes (node --watch).
// tsc rather than a faster transpiler because MikroORM and type-graphql read the decorator metadata tsc emits.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const serverRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const repositoryRoot = path.dirname(serverRoot);
const tsc = path.join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const project = path.join(serverRoot, 'tsconfig.build.json');
// The IDE's page script is a browser program with its own compiler settings (DOM, ES modules).
const ideClient = path.join(serverRoot, 'src', 'playground', 'ide-client', 'tsconfig.json');

for (const args of [['-b', project], ['-p', ideClient]]) {
  const first = spawnSync(process.execPath, [tsc, ...args], { stdio: 'inherit' });
  if (first.status !== 0) process.exit(first.status ?? 1);
}

const children = [
  spawn(process.execPath, [tsc, '-b', '--watch', '--preserveWatchOutput', project], { stdio: 'inherit' }),
  spawn(process.execPath, [tsc, '-p', ideClient, '--watch', '--preserveWatchOutput'], { stdio: 'inherit' }),
  spawn(process.execPath, ['--watch-path', path.join(serverRoot, 'dist'), path.join(serverRoot, 'dist', 'main.js')], {
    stdio: 'inherit',
    cwd: repositoryRoot,
  }),
];
const stop = (signal) => {
  for (const child of children) child.kill(signal);
  process.exit(0);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
