// `pnpm start`'s second step: the cadre app's h5 build (served at /app/) when it is missing, so that a
// newcomer's first start shows the cadres' side too. A build that fails does not stop the API from
// starting: the banner then says how to build the app.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const index = path.join(root, 'miniprogram', 'dist', 'h5', 'index.html');

if (!fs.existsSync(index)) {
  process.stdout.write('Building the cadre app (h5) once, for /app/ …\n');
  const built = spawnSync('pnpm', ['--filter', '@wanjia/miniprogram', 'build:h5'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.stderr.write('The cadre app (h5) did not build; the API starts without it.\n');
}
