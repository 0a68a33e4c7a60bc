import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { ImportKind, ImportMode, ImportState, Role } from '@wanjia/shared';
import type { AppConfig } from '../../config';
import type { StaffActor } from '../../core/caller';
import { systemClock } from '../../core/clock';
import type { Orm } from '../../core/entity-manager';
import { BadUserInputError } from '../../core/errors';
import type { Logger } from '../../logger';
import { UserAccount } from '../accounts/user-account.entity';
import { DataImport, DataImportProblem } from './data-import.entity';
import { ImportEngine } from './import-engine';
import { vetFile } from './imports.routes';
import { importsService } from './imports.service';

export interface ImportCliOptions {
  kind: string;
  file: string;
  account: string;
  mode: 'create' | 'update';
  commit: boolean;
}

/** Runs a step while a progress bar on stderr follows the import's rowsDone (read from its row, as a client would). */
async function withProgress(orm: Orm, importId: number, label: string, step: () => Promise<void>): Promise<void> {
  const bar = new SingleBar({
    format: `  ${label} [{bar}] {value}/{total} rows`,
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
    // Redirected to a log (no terminal), the bar still writes a line every few seconds and its last state.
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
  bar.start(1, 0);
  const timer = setInterval(() => {
    void orm.em
      .fork()
      .findOne(DataImport, importId, { fields: ['rowsDone', 'rowsTotal'] })
      .then((found) => {
        if (!found) return;
        bar.setTotal(Math.max(1, found.rowsTotal ?? found.rowsDone));
        bar.update(found.rowsDone);
      });
  }, 250);
  try {
    await step();
  } finally {
    clearInterval(timer);
    const found = await orm.em.fork().findOne(DataImport, importId, { fields: ['rowsDone', 'rowsTotal'] });
    if (found) {
      bar.setTotal(Math.max(1, found.rowsTotal ?? found.rowsDone));
      bar.update(found.rowsTotal ?? found.rowsDone);
    }
    bar.stop();
  }
}

function summary(dataImport: DataImport): string {
  return [
    `import #${dataImport.id} (${dataImport.kind}, ${dataImport.mode}): ${dataImport.state}${dataImport.failure ? ` — ${dataImport.failure}` : ''}`,
    `  rows ${dataImport.rowsTotal ?? 0}: ready ${dataImport.readyCount}, warnings ${dataImport.warningCount} (accepted ${dataImport.acceptedCount}), refused ${dataImport.refusedCount}`,
    `  created ${dataImport.createdCount}, updated ${dataImport.updatedCount}, unchanged ${dataImport.unchangedCount}`,
  ].join('\n');
}

/**
 * `pnpm run import <kind> <file> --account <username> [--mode update] [--commit]` (`run`: a bare `pnpm import` is
 * pnpm's own lockfile command): the server operator's import
 * of a file on the server, as the named administrator (their scope, their audit trail, address "cli"): the
 * same checks and writes as an upload, with a progress bar on stderr and the counts and first problems on
 * stdout. Without --commit it stops after the dry run; rows with warnings are written only when accepted
 * (in the desk or with acceptImportWarnings), so a --commit run writes the rows that passed.
 */
export async function runImportCli(orm: Orm, config: AppConfig, logger: Logger, options: ImportCliOptions): Promise<void> {
  if (!(Object.values(ImportKind) as string[]).includes(options.kind))
    throw new BadUserInputError('kind', `kind must be one of ${Object.values(ImportKind).join(', ')}`);
  const kind = options.kind as ImportKind;
  if (!fs.existsSync(options.file)) throw new BadUserInputError('file', `no file at ${options.file}`);
  const em = orm.em.fork();
  const account = await em.findOne(UserAccount, { username: options.account }, { populate: ['scopeRegion'] });
  if (!account || account.role !== Role.ADMIN || !account.scopeRegion || !account.active) {
    throw new BadUserInputError('account', `${options.account} is not an active administrator's account`);
  }
  const actor: StaffActor = {
    accountId: account.id,
    role: Role.ADMIN,
    scopeRegionId: account.scopeRegion.id,
    scopePath: account.scopeRegion.path,
    cadreId: null,
  };
  const engine = new ImportEngine(orm, config, systemClock, logger);
  if (!engine.kindOf(kind)) throw new BadUserInputError('kind', `${kind} imports are not available yet`);
  fs.mkdirSync(config.imports.dir, { recursive: true });
  const bytes = fs.statSync(options.file).size;
  if (bytes > config.imports.maxBytes) throw new BadUserInputError('file', `the file is larger than IMPORT_MAX_BYTES (${config.imports.maxBytes} bytes)`);
  const { format, encoding } = await vetFile({ tempPath: options.file, bytes }, config);
  const fileHash = createHash('sha256').update(fs.readFileSync(options.file)).digest('hex');
  const dataImport = await importsService.create(
    em,
    { actor, clientAddress: 'cli' },
    {
      kind,
      mode: options.mode === 'update' ? ImportMode.UPDATE_EXISTING : ImportMode.CREATE_ONLY,
      fileName: path.basename(options.file).slice(0, 255),
      fileHash,
      fileFormat: format,
      csvEncoding: encoding,
    },
  );
  await engine.files.keep(dataImport, options.file, 'copy');
  await withProgress(orm, dataImport.id, 'checking ', () => engine.check(dataImport.id));
  let current = await orm.em.fork().findOneOrFail(DataImport, dataImport.id);
  const problems = await orm.em
    .fork()
    .find(DataImportProblem, { dataImport: dataImport.id, accepted: false }, { orderBy: { rowNumber: 'asc', id: 'asc' }, limit: 20 });
  for (const found of problems)
    process.stdout.write(`  row ${found.rowNumber}${found.column ? ` ${found.column}` : ''}: ${found.severity} ${found.code} ${found.message}\n`);
  if (options.commit && current.state === ImportState.CHECKED) {
    await withProgress(orm, dataImport.id, 'importing', () => engine.commit(dataImport.id));
    current = await orm.em.fork().findOneOrFail(DataImport, dataImport.id);
  }
  process.stdout.write(`${summary(current)}\n`);
  if (current.state === ImportState.FAILED) process.exitCode = 1;
}
