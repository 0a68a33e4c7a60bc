import { createHmac } from 'node:crypto';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, TooManyRequestsError } from '../../core/errors';
import { DAY_MS } from '../../core/time';
import { AuditEntry } from '../audit/audit-entry.entity';
import { recordAudit } from '../audit/audit.service';
import type { Actor, Caller } from '../../core/caller';
import { Resident } from './resident.entity';
import { residentPolicy } from './resident.policy';

/**
 * The duplicate-ID-number check and what keeps it from being an oracle.
 *
 * An administrator must not register the same person twice, so a resident write whose ID number is
 * already registered in the administrator's subtree is refused. That refusal says "this number belongs
 * to someone here": with 30 residents per createHousehold, it let a district administrator test 900
 * candidate numbers a minute and rebuild every resident's number without the audited revealResident.
 * So:
 * - every refusal is audited (`refuseDuplicateIdNumber`), with a keyed hash of the number (the trail
 *   can tell two refusals of the same number apart from two different ones) and never the number;
 *   the hash is keyed by the server's secret, so that nobody reading the trail can hash candidates;
 * - one account hears at most `hitsPerDay` refusals in any 24 hours. When the last one is spent an
 *   alert entry (`alertDuplicateIdNumbers`) goes to the trail; after it every resident write of that
 *   account that carries an ID number is refused as TOO_MANY_REQUESTS *before* anything is compared,
 *   so that the answer tells nothing, until the oldest refusal is 24 hours old;
 * - a write with several numbers names the first registered one only (one hit per request);
 * - a number not registered yet is no refusal: the write goes through, and is itself audited.
 * The budget is counted from the audit trail (the (actor, at) index), so it holds across instances.
 */
export interface DuplicateIdGuard {
  hitsPerDay: number;
  /** The server's secret; the key of the audit trail's ID-number hashes is derived from it. */
  secret: string;
}

/** A caller of a resident write: the duplicate-ID-number check's budget comes with it. */
export interface ResidentWriter extends Caller {
  duplicateIds: DuplicateIdGuard;
}

export const REFUSE_DUPLICATE_ID = 'refuseDuplicateIdNumber';
export const ALERT_DUPLICATE_IDS = 'alertDuplicateIdNumbers';
export const REFUSE_ID_CHECK_BUDGET = 'refuseIdNumberCheck';

/** A keyed hash of an ID number for the audit trail: equal numbers hash alike, candidates cannot be tried. */
export function idNumberHash(secret: string, idNumber: string): string {
  const key = createHmac('sha256', secret).update('wanjia:audit:id-number').digest();
  return createHmac('sha256', key).update(idNumber).digest('hex').slice(0, 32);
}

interface Entry {
  idNumber: string | null;
  field: string;
}

interface Target {
  /** What the trail files the refusal under: the household written to, or `new` for a household being created. */
  entityId: string | number;
  regionPath: string;
  exceptResidentId?: number;
}

async function refusalsSince(em: Em, actor: Actor, since: Date): Promise<Date[]> {
  const rows = await em.find(
    AuditEntry,
    { actor: actor.accountId, operation: REFUSE_DUPLICATE_ID, at: { $gt: since } },
    { fields: ['at'], orderBy: { at: 'asc' } },
  );
  return rows.map((row) => row.at);
}

/**
 * Refuses an ID number that another resident in the administrator's own subtree already has. Beyond
 * the subtree nothing is said: whether a person is on another district's lists is not theirs to learn.
 */
export async function assertIdNumbersFree(
  em: Em,
  writer: ResidentWriter,
  entries: Entry[],
  target: Target,
  now = new Date(),
): Promise<void> {
  const { actor, duplicateIds: guard } = writer;
  const wanted = entries.filter((entry): entry is { idNumber: string; field: string } => Boolean(entry.idNumber));
  if (wanted.length === 0) return;
  const seen = new Set<string>();
  for (const entry of wanted) {
    if (seen.has(entry.idNumber)) throw new BadUserInputError(entry.field, 'the same ID number is given twice');
    seen.add(entry.idNumber);
  }
  const refusals = await refusalsSince(em, actor, new Date(now.getTime() - DAY_MS));
  if (refusals.length >= guard.hitsPerDay) {
    const retryAfterSeconds = Math.max(1, Math.ceil((refusals[0]!.getTime() + DAY_MS - now.getTime()) / 1000));
    await em.fork().transactional(async (tx) => {
      recordAudit(tx, writer, {
        operation: REFUSE_ID_CHECK_BUDGET,
        entityName: 'Resident',
        entityId: target.entityId,
        regionPath: target.regionPath,
        changes: { field: wanted[0]!.field, idNumbers: wanted.length },
      });
    });
    throw new TooManyRequestsError(
      retryAfterSeconds,
      `${wanted[0]!.field}: this account was told ${refusals.length} times in 24 hours that an ID number is already registered; ID numbers are not checked for it until the oldest of those is 24 hours old (an administrator of a higher level can enter the resident meanwhile)`,
      { field: wanted[0]!.field },
    );
  }
  const taken = await em.find(
    Resident,
    {
      $and: [
        { idNumber: { $in: [...seen] }, ...(target.exceptResidentId ? { id: { $ne: target.exceptResidentId } } : {}) },
        residentPolicy.scope(actor),
      ],
    },
    { fields: ['idNumber'] },
  );
  const first = wanted.find((entry) => taken.some((resident) => resident.idNumber === entry.idNumber));
  if (!first) return;
  const hitsToday = refusals.length + 1;
  // Its own transaction: the write is refused, the refusal stays on the record.
  await em.fork().transactional(async (tx) => {
    recordAudit(tx, writer, {
      operation: REFUSE_DUPLICATE_ID,
      entityName: 'Resident',
      entityId: target.entityId,
      regionPath: target.regionPath,
      changes: { field: first.field, idNumberHash: idNumberHash(guard.secret, first.idNumber), hitsToday, idNumbersInRequest: wanted.length },
    });
    if (hitsToday === guard.hitsPerDay) {
      recordAudit(tx, writer, {
        operation: ALERT_DUPLICATE_IDS,
        entityName: 'UserAccount',
        entityId: actor.accountId,
        regionPath: target.regionPath,
        reason: `${hitsToday} refusals of already registered ID numbers in 24 hours: ID numbers are no longer checked for this account until they age`,
      });
    }
  });
  throw new BadUserInputError(first.field, 'a resident with this ID number is already registered in your area');
}
