// Fails when the weapp build's main package (everything outside subpackages) passes 1 MB; WeChat
// refuses more than 2 MB, and the margin leaves room to grow. Prints the sizes either way.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT_BYTES = 1024 * 1024;
// Another build folder may be named as the first argument.
const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'weapp'));

if (!fs.existsSync(path.join(root, 'app.json'))) {
  console.error(`size check: ${root}/app.json is missing; build first (pnpm build)`);
  process.exit(1);
}

const app = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));
const subpackageRoots = [...(app.subPackages ?? []), ...(app.subpackages ?? [])].map((pkg) => pkg.root.replace(/\/+$/, '') + '/');

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : [full];
  });
}

let main = 0;
let sub = 0;
for (const file of files(root)) {
  const relative = path.relative(root, file).split(path.sep).join('/');
  // DevTools does not upload these: licence notes and the project file.
  if (relative.endsWith('.LICENSE.txt') || relative === 'project.config.json' || relative.endsWith('.map')) continue;
  const size = fs.statSync(file).size;
  if (subpackageRoots.some((prefix) => relative.startsWith(prefix))) sub += size;
  else main += size;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`weapp main package: ${kb(main)} of ${kb(LIMIT_BYTES)} allowed${sub ? `; subpackages: ${kb(sub)}` : ''}`);
if (main > LIMIT_BYTES) {
  console.error('size check FAILED: the main package is over 1 MB; move pages into subpackages or trim dependencies');
  process.exit(1);
}
