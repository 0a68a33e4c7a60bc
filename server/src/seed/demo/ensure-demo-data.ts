import { SingleBar } from 'cli-progress';
import type { Logger } from '../../logger';
import { verifyPassword } from '../../modules/accounts/password.service';
import { UserAccount } from '../../modules/accounts/user-account.entity';
import { Region } from '../../modules/regions/region.entity';
import type { Orm } from '../../core/entity-manager';
import { DEFAULT_DEMO_OPTIONS, DEMO_PASSWORDS, DEMO_STEPS, seedDemoData, type DemoResult } from './demo-data';

/** Shows the seeding steps as a progress bar on a terminal, and as log lines anywhere else. */
export function seedProgress(logger: Logger): { onStep: (step: string) => void; done: () => void } {
  if (process.stdout.isTTY) {
    const bar = new SingleBar({ format: '  demo data [{bar}] {value}/{total} {step}', hideCursor: true, clearOnComplete: false });
    bar.start(DEMO_STEPS.length, 0, { step: '' });
    return {
      onStep: (step) => bar.increment(1, { step }),
      done: () => bar.stop(),
    };
  }
  return { onStep: (step) => logger.info({ step }, 'seeding demo data'), done: () => undefined };
}

/**
 * Fills an empty database with the demo data set, and prints the demo accounts either way. The demo's
 * today is the moment it is written, so that its visits look like a campaign in progress on the day
 * someone starts it (the figures in docs/data-sets.md are the reference day's, DEFAULT_DEMO_OPTIONS).
 */
export async function ensureDemoData(orm: Orm, logger: Logger, visitIntervals = DEFAULT_DEMO_OPTIONS.visitIntervals): Promise<DemoResult | null> {
  const em = orm.em.fork();
  let result: DemoResult | null = null;
  if ((await em.count(Region)) === 0) {
    const progress = seedProgress(logger);
    result = await seedDemoData(em, { ...DEFAULT_DEMO_OPTIONS, today: new Date(), visitIntervals, onStep: progress.onStep });
    progress.done();
    logger.info({ counts: result.counts }, 'demo data written');
  }
  await printDemoAccounts(orm, logger);
  return result;
}

async function printDemoAccounts(orm: Orm, logger: Logger): Promise<void> {
  const accounts = await orm.em.fork().find(UserAccount, {}, { populate: ['scopeRegion', 'cadre'], orderBy: { id: 'asc' }, limit: 10 });
  const lines = await Promise.all(
    accounts.map(async (account) => {
      const demoPassword = account.username ? DEMO_PASSWORDS[account.username as keyof typeof DEMO_PASSWORDS] : undefined;
      // Printed only while it still signs in: a changed password is nobody's business on stdout.
      const password = demoPassword && account.passwordHash && (await verifyPassword(account.passwordHash, demoPassword)) ? demoPassword : undefined;
      if (account.cadre) return `  ${account.role.padEnd(8)} cadre ${account.cadre.name} (cadre id ${account.cadre.id}) — signs in from WeChat`;
      return `  ${account.role.padEnd(8)} ${account.username} / ${password ?? '(changed)'} — scope ${account.scopeRegion?.name ?? '-'}`;
    }),
  );
  if (lines.length > 0) {
    logger.info('demo accounts printed on stdout');
    process.stdout.write(`\nDemo accounts (demo passwords; change them before real use):\n${lines.join('\n')}\n\n`);
  }
}
