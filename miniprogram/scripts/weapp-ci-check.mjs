// WeChat's own build tool (miniprogram-ci, extracted from WeChat DevTools) run offline over the weapp
// build: its code-quality check, its code analysis and its compile (the same ES6-to-ES5 pass and
// app.json check DevTools runs before an upload). Fails with the tool's own message when WeChat would
// refuse the package: a page listed in app.json without its files, JavaScript its compiler cannot
// parse, a main package over its limit, code or components nothing uses. It needs no network: the
// tool signs nothing offline, so a throwaway RSA key (made here, in a temporary folder, deleted at the
// end) and the tourist appid stand in for the project's real ones. Preview and upload need WeChat's
// servers and are not attempted.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Another build folder may be named as the first argument (e.g. a copy broken on purpose to see it fail).
const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'weapp'));
// Checks DevTools reports as advice, settled elsewhere: Taro minifies the JavaScript and styles itself
// (the project file's "minified" switch is DevTools' own pass), and lazy code loading is a choice of
// app.config.ts. They are printed, not failed.
const ADVISORY = new Set(['JS_COMPRESS_OPEN', 'WXML_COMPRESS_OPEN', 'WXSS_COMPRESS_OPEN', 'LAZYCODE_LOADING_OPEN']);

function fail(message) {
  // The compiler quotes the offending line, which in a minified bundle is the whole file: keep each line short.
  const short = String(message)
    .split('\n')
    .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
    .join('\n');
  console.error(`weapp CI check FAILED: ${short}`);
  process.exit(1);
}

if (!fs.existsSync(path.join(root, 'app.json'))) fail(`${root}/app.json is missing; build first (pnpm --filter @wanjia/miniprogram build:weapp)`);

// The tool sometimes rejects a promise nobody awaits (e.g. after a failed compile), which would end
// Node with a stack trace and no word of what was wrong; and it leaves a file watcher open, so Node
// would never exit by itself. Both are handled here: an unhandled rejection is a failure with its
// message, and the script exits explicitly.
process.on('unhandledRejection', (reason) => fail(`miniprogram-ci rejected unexpectedly: ${reason instanceof Error ? reason.message : String(reason)}`));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-weapp-ci-'));
const keyPath = path.join(work, 'throwaway-upload-key.pem');
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
// Removed however the script ends (fail() exits at once).
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
fs.writeFileSync(keyPath, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
// It writes a cache folder into the working directory: keep that in the temporary folder too.
process.chdir(work);

/** Runs one step with the tool's chatter held back (printed only if the step fails), and times it. */
async function step(name, run) {
  const held = [];
  const originals = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  for (const level of Object.keys(originals)) console[level] = (...args) => held.push(args.map(String).join(' '));
  const started = Date.now();
  try {
    const result = await run();
    return { result, ms: Date.now() - started };
  } catch (error) {
    Object.assign(console, originals);
    if (held.length) console.error(held.slice(-20).join('\n'));
    fail(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    Object.assign(console, originals);
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

{
  const require = createRequire(import.meta.url);
  const ci = await step('loading miniprogram-ci', () => require('miniprogram-ci')).then(({ result }) => result);
  const project = new ci.Project({ appid: 'touristappid', type: 'miniProgram', projectPath: root, privateKeyPath: keyPath, ignores: ['node_modules/**/*'] });
  // Offline the project's attributes (normally fetched from WeChat for the appid) are the tool's defaults.
  project.attr = async () => JSON.parse(JSON.stringify(ci.DefaultProjectAttr));

  const quality = await step('checkCodeQuality', () => ci.checkCodeQuality(project));
  const failed = quality.result.filter((item) => !item.success && !ADVISORY.has(item.name));
  const advice = quality.result.filter((item) => !item.success && ADVISORY.has(item.name));
  const mainBytes = quality.result.find((item) => item.name === 'PACKAGE_SIZE_LIMIT')?.detail?.__APP__;
  console.log(
    `weapp CI check: code quality ${quality.result.length - failed.length - advice.length}/${quality.result.length} passed` +
      `${advice.length ? ` (advice, not failed: ${advice.map((item) => item.name).join(', ')})` : ''}` +
      `${mainBytes ? `; main package ${kb(mainBytes)} as WeChat counts it` : ''} (${quality.ms} ms)`,
  );
  if (failed.length) fail(failed.map((item) => `${item.name}: ${item.text} ${JSON.stringify(item.detail ?? '')}`).join('\n'));

  const analysis = await step('analyseCode', () => ci.analyseCode(project, { silent: true }));
  const byPackage = new Map();
  for (const file of analysis.result?.files ?? []) byPackage.set(file.subPackage ?? 'main', (byPackage.get(file.subPackage ?? 'main') ?? 0) + file.size);
  console.log(
    `weapp CI check: code analysis ${analysis.result?.files.length ?? 0} files, ${analysis.result?.modules.length ?? 0} modules; ` +
      `${[...byPackage].map(([name, bytes]) => `${name} ${kb(bytes)}`).join(', ')} (${analysis.ms} ms)`,
  );

  const compiled = await step('getCompiledResult (WeChat DevTools compile)', () =>
    ci.getCompiledResult({ project, version: '0.0.0', setting: { es6: true, minify: false } }),
  );
  // The compile already refuses a page without its files; this also proves each page came out of it.
  const app = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));
  const pages = [
    ...app.pages,
    ...[...(app.subPackages ?? []), ...(app.subpackages ?? [])].flatMap((pkg) => pkg.pages.map((page) => `${pkg.root.replace(/\/+$/, '')}/${page}`)),
  ];
  const missing = pages.filter((page) => !(`${page}.js` in compiled.result) || !(`${page}.wxml` in compiled.result));
  if (missing.length) fail(`the compile gave no JavaScript or WXML for ${missing.join(', ')}`);
  console.log(
    `weapp CI check: compiled ${Object.keys(compiled.result).length} files, all ${pages.length} pages (main package and subpackages) (${compiled.ms} ms)`,
  );
}
process.exit(0);
