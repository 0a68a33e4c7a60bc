import 'reflect-metadata';
import readline from 'node:readline/promises';
import { RegionLevel, Role } from '@wanjia/shared';
import { ConfigError, loadConfig } from './config';
import { BadUserInputError } from './core/errors';
import { accountService } from './modules/accounts/account.service';
import { authService } from './modules/auth/auth.service';
import { Region, childPath } from './modules/regions/region.entity';
import { createLogger } from './logger';
import { DEFAULT_CITY_SEED, parseScale } from './seed/city/city-plan';
import { CityRefusal, generateCity, type CityResult } from './seed/city/generator';
import { cityReporter } from './seed/city/progress';
import { demoFigures, formatDemoFigures } from './seed/demo/demo-figures';
import { ensureDemoData } from './seed/demo/ensure-demo-data';
import { createOrm, prepareSchema } from './db/orm';
import { withStartupLease } from './db/startup-lease';
import { runImportCli } from './modules/imports/import-cli';

const USAGE = [
  'usage: pnpm <command> [arguments] at the repository root (which builds the server first), or',
  '       node server/dist/cli.js <command> [arguments] from the repository root; relative paths in the',
  '       configuration (SQLITE_PATH, PHOTO_DIR) resolve from where it runs, as for `pnpm start`',
  '  migrate                                   bring the schema up to date',
  '  seed                                      write the demo data set into an empty database',
  '  seed --scale <city|small|0..1> [--seed <n>]',
  '                                            generate the city-scale data set into DATABASE_URL (MySQL only;',
  '                                            idempotent, an interrupted run is rebuilt; see src/seed/city/README.md)',
  "  demo:figures                              print the demo data set's figures, counted in the database",
  '  migration:create                          write a MySQL migration for entity changes (DATABASE_URL)',
  '  region:create-root <code> <name>          create the top of the region tree (e.g. 210500000000 本溪市)',
  '  account:create <username> <ADMIN|ANALYST> <region code>',
  '                                            create a sign-in account; the password comes from',
  '                                            WANJIA_PASSWORD or is asked for on the terminal',
  '  import <KIND> <file> --account <username> [--mode update] [--commit]',
  '                                            dry-run (and with --commit, write) a spreadsheet as that administrator,',
  '                                            with a progress bar on stderr (KIND: HOUSEHOLDS, CADRES, …; docs/imports.md);',
  "                                            from pnpm: `pnpm run import …` (a bare `pnpm import` is pnpm's own command)",
  '  account:unlock <username>                 lift the sign-in lock of an account (e.g. a locked-out administrator)',
  '  account:reset-password <username>         print a one-time password that must be changed at the next sign-in;',
  '                                            with WANJIA_PASSWORD set, set that password instead (kept)',
  '                                            (both end every sign-in of the account; audited as the CLI)',
].join('\n');

async function readPassword(): Promise<string> {
  if (process.env.WANJIA_PASSWORD) return process.env.WANJIA_PASSWORD;
  if (!process.stdin.isTTY) throw new Error('set WANJIA_PASSWORD, or run on a terminal to be asked for the password');
  const terminal = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await terminal.question('password (12 characters or more): ');
  } finally {
    terminal.close();
  }
}

/** A mistake on the command line or in the target: its message is the whole story, no stack needed. */
class UsageError extends Error {}

/** Reads `--name value` from the arguments after the command; null when absent. */
function option(name: string): string | null {
  const args = process.argv.slice(3);
  const index = args.indexOf(`--${name}`);
  if (index < 0) return null;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value\n${USAGE}`);
  return value;
}

/** `seed --scale …`: the city-scale data set, written without the ORM (which it would outgrow). */
async function seedCity(scaleText: string): Promise<void> {
  const config = loadConfig();
  if (config.database.kind !== 'mysql') {
    throw new UsageError(
      'seed --scale: the city-scale data set is for MySQL or MariaDB; set DATABASE_URL=mysql://… or mariadb://… (the embedded SQLite database takes the demo data set: `seed` without --scale)',
    );
  }
  let scale: number;
  try {
    scale = parseScale(scaleText);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const seedText = option('seed');
  const seed = seedText === null ? DEFAULT_CITY_SEED : Number(seedText);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed: expected a non-negative integer, got "${seedText}"`);
  const reporter = cityReporter();
  let result: CityResult;
  try {
    result = await generateCity({ databaseUrl: config.database.url, scale, seed, onProgress: reporter.onProgress, log: reporter.log });
  } finally {
    reporter.stop();
  }
  process.stdout.write(describeCity(result));
}

function describeCity(result: CityResult): string {
  const { plan, counts, figures } = result;
  const number = (value: number | null) => (value === null ? '-' : value.toLocaleString('en'));
  const yuan = (fen: number | null) => (fen === null ? '-' : `${(fen / 100).toLocaleString('en')} yuan`);
  const rows: [string, string, string][] = [];
  for (const [label, planned, actual] of [
    ['round one', plan.roundOne, figures.roundOne],
    ['round two', plan.roundTwo, figures.roundTwo],
  ] as const) {
    rows.push(
      [`${label}: cadres with households`, number(planned.cadres), number(actual.cadres)],
      [`${label}: households helped`, number(planned.households), number(actual.households)],
      [`${label}: hardship households`, number(planned.hardshipHouseholds), number(actual.hardshipHouseholds)],
      [`${label}: key-focus persons`, number(planned.keyFocusPersons), number(actual.keyFocusPersons)],
      [`${label}: petitioner households`, number(planned.petitionerHouseholds), number(actual.petitionerHouseholds)],
      [`${label}: major backlog cases`, number(planned.majorBacklogCases), number(actual.majorBacklogCases)],
      [`${label}: funds and materials`, yuan(planned.fundsAndMaterialsFen), yuan(actual.fundsAndMaterialsFen)],
      [`${label}: problems solved`, number(planned.problemsSolved), number(actual.problemsSolved)],
      [`${label}: help records (latest)`, '-', number(actual.helpRecords)],
    );
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  const stages = Object.entries(result.stageSeconds)
    .map(([stage, seconds]) => `${stage} ${seconds.toFixed(1)} s`)
    .join(', ');
  return [
    '',
    `City data set in ${result.database} (seed ${plan.seed}, scale ${plan.scale}): ${result.reused ? 'already there, nothing written' : result.rebuilt ? 'rebuilt' : 'generated'}`,
    `  ${'figure'.padEnd(width)}  ${'plan'.padStart(18)}  ${'database'.padStart(18)}`,
    ...rows.map(([label, planned, actual]) => `  ${label.padEnd(width)}  ${planned.padStart(18)}  ${actual.padStart(18)}`),
    `  rows: ${Object.entries(counts)
      .map(([name, value]) => `${name} ${number(value)}`)
      .join(', ')}`,
    stages ? `  stages: ${stages}` : '',
    `  total time: ${result.seconds.toFixed(1)} s`,
    '',
  ].join('\n');
}

/** Database chores: apply migrations, seed the demo data set, generate a MySQL migration from the entities. */
async function main(command: string | undefined): Promise<void> {
  const scale = command === 'seed' ? option('scale') : null;
  if (scale !== null) return seedCity(scale);
  if (command === 'seed' && option('seed') !== null)
    throw new UsageError('--seed chooses the city-scale data set: add --scale (the demo data set has a fixed seed)');
  const config = loadConfig();
  const logger = createLogger(config);
  const orm = await createOrm({ database: config.database, logger });
  try {
    switch (command) {
      case 'migrate':
        // Under the same lease as a starting server's migrations, so that the two never run at once.
        await withStartupLease(orm, () => prepareSchema(orm, config.database), { logger });
        logger.info({ database: config.database.kind }, 'schema is up to date');
        break;
      case 'seed': {
        let result: Awaited<ReturnType<typeof ensureDemoData>> = null;
        await withStartupLease(
          orm,
          async () => {
            await prepareSchema(orm, config.database);
            result = await ensureDemoData(orm, logger, config.visitIntervals);
          },
          { logger },
        );
        if (!result) logger.info('the database already holds data; the demo data set was not written');
        break;
      }
      case 'demo:figures': {
        await prepareSchema(orm, config.database);
        const where = config.database.kind === 'sqlite' ? `SQLite at ${config.database.path}` : 'MySQL';
        const figures = await demoFigures(orm.em.fork(), config.visitIntervals);
        process.stdout.write(`Demo data set in ${where}:\n${formatDemoFigures(figures)}\n`);
        break;
      }
      case 'migration:create': {
        if (config.database.kind !== 'mysql') {
          throw new Error('migration:create diffs a MySQL database against the entities: set DATABASE_URL');
        }
        await prepareSchema(orm, config.database);
        const migration = await orm.getMigrator().createMigration();
        if (migration.diff.up.length === 0) {
          logger.info('the entities and the migrated schema agree; no migration written');
        } else {
          logger.info({ file: migration.fileName }, 'migration written: add it to src/db/migrations/index.ts');
        }
        break;
      }
      case 'region:create-root': {
        const [code, name] = process.argv.slice(3);
        if (!code || !/^\d{12}$/.test(code) || !name) throw new Error(USAGE);
        await prepareSchema(orm, config.database);
        const em = orm.em.fork();
        if (await em.count(Region, { parent: null })) throw new Error('the region tree already has its top; add regions with the createRegion mutation');
        const root = em.create(Region, { code, name, level: RegionLevel.CITY, path: childPath(null, code), depth: 0 });
        await em.flush();
        logger.info({ region: root.id, code, name }, 'region tree started');
        break;
      }
      case 'account:create': {
        const [username, role, regionCode] = process.argv.slice(3);
        if (!username || !regionCode || (role !== Role.ADMIN && role !== Role.ANALYST)) throw new Error(USAGE);
        await prepareSchema(orm, config.database);
        const em = orm.em.fork();
        const region = await em.findOne(Region, { code: regionCode });
        if (!region) throw new Error(`no region with code ${regionCode}`);
        const password = await readPassword();
        if (password.length < 12) throw new Error('the password must be at least 12 characters');
        const account = await authService.createStaffAccount(em, { username, password, role, scopeRegion: region }, { actor: null, clientAddress: 'cli' });
        logger.info({ account: account.id, username, role, scope: region.name }, 'account created');
        break;
      }
      case 'account:unlock':
      case 'account:reset-password': {
        const [username] = process.argv.slice(3);
        if (!username) throw new UsageError(USAGE);
        await prepareSchema(orm, config.database);
        const em = orm.em.fork();
        const account = await accountService.findByUsername(em, username);
        const request = { actor: null, clientAddress: 'cli' };
        if (command === 'account:unlock') {
          await accountService.unlock(em, account, request);
          logger.info({ account: account.id, username }, 'sign-in lock lifted');
          process.stdout.write(`${username}: the sign-in lock is lifted\n`);
        } else {
          const chosen = process.env.WANJIA_PASSWORD?.trim() ? process.env.WANJIA_PASSWORD : null;
          const { oneTimePassword } = await accountService.resetPassword(em, account, request, chosen);
          logger.info({ account: account.id, username, oneTime: oneTimePassword !== null }, 'password reset');
          process.stdout.write(
            oneTimePassword
              ? `${username}: one-time password ${oneTimePassword}\n(it signs in only to choose a new password; every other sign-in of the account has ended)\n`
              : `${username}: the password from WANJIA_PASSWORD is set; every other sign-in of the account has ended\n`,
          );
        }
        break;
      }
      case 'import': {
        const [kind, file] = process.argv.slice(3);
        if (!kind || !file || kind.startsWith('--') || file.startsWith('--')) throw new UsageError(USAGE);
        const account = option('account');
        if (!account) throw new UsageError(`import: --account <username> names the administrator the file is imported as\n${USAGE}`);
        const mode = option('mode') ?? 'create';
        if (mode !== 'create' && mode !== 'update') throw new UsageError('--mode is create (the default) or update');
        await prepareSchema(orm, config.database);
        await runImportCli(orm, config, logger, { kind, file, account, mode, commit: process.argv.includes('--commit') });
        break;
      }
      default:
        throw new Error(USAGE);
    }
  } finally {
    await orm.close(true);
  }
}

main(process.argv[2]).catch((error: unknown) => {
  const expected = error instanceof ConfigError || error instanceof UsageError || error instanceof CityRefusal || error instanceof BadUserInputError;
  process.stderr.write(`${expected ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
