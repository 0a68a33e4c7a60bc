import { AssignmentKind, HelpKind } from '@wanjia/shared';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Em } from '../../../src/core/entity-manager';
import { Assignment } from '../../../src/modules/assignments/assignment.entity';
import { HelpRecord } from '../../../src/modules/help-records/help-record.entity';
import { Photo } from '../../../src/modules/photos/photo.entity';
import { createAccount } from './accounts';
import { createCadre, createRound } from './campaign';
import { createHousehold } from './households';
import type { Overrides } from './overrides';

/** The cadres' work: assignments to households, the help records of their visits, the photos they upload. */

/** A regular assignment from 2026-05-10; a new cadre, household and round for what is left out. */
export async function createAssignment(em: Em, overrides: Overrides<Assignment> = {}): Promise<Assignment> {
  const cadre = overrides.cadre ?? (await createCadre(em));
  const household = overrides.household ?? (await createHousehold(em));
  const round = overrides.round ?? (await createRound(em));
  const assignment = em.create(Assignment, {
    kind: AssignmentKind.REGULAR,
    startedAt: new Date('2026-05-10T02:00:00Z'),
    ...overrides,
    cadre,
    household,
    round,
  });
  await em.flush();
  return assignment;
}

/**
 * A visit on 2026-06-01 under an assignment. Without one, the assignment is made of the household,
 * cadre and round given (each built when left out); with one, they default to the assignment's.
 */
export async function createHelpRecord(em: Em, overrides: Overrides<HelpRecord> = {}): Promise<HelpRecord> {
  const assignment =
    overrides.assignment ??
    (await createAssignment(em, {
      ...(overrides.household ? { household: overrides.household } : {}),
      ...(overrides.cadre ? { cadre: overrides.cadre } : {}),
      ...(overrides.round ? { round: overrides.round } : {}),
    }));
  const record = em.create(HelpRecord, {
    household: assignment.household,
    cadre: assignment.cadre,
    round: assignment.round,
    occurredAt: new Date('2026-06-01T03:00:00Z'),
    kinds: [HelpKind.VISIT],
    summary: '入户走访',
    clientId: randomUUID(),
    contentHash: '0'.repeat(64),
    ...overrides,
    assignment,
  });
  await em.flush();
  return record;
}

/** A stored photo's row (the file itself is the storage's business); without an uploader, a new cadre's account. */
export async function createPhoto(em: Em, overrides: Partial<Photo> = {}): Promise<Photo> {
  const uploadedBy = overrides.uploadedBy ?? (await createAccount(em, { cadre: await createCadre(em) }));
  const photo = em.create(Photo, { id: randomBytes(32).toString('hex'), mimeType: 'image/jpeg', sizeBytes: 150_000, ...overrides, uploadedBy });
  await em.flush();
  return photo;
}
