import type { FilterQuery } from '@mikro-orm/core';
import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { parseId } from '../../core/errors';
import { paginateById, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { UserAccount } from '../accounts/user-account.entity';
import { AuditEntry } from './audit-entry.entity';
import type { AuditEntryFilter } from './audit.inputs';
import { auditPolicy } from './audit.policy';

/**
 * Fields whose values never reach the audit trail: it records that they changed, not what to. A birth
 * date is most of an ID number, so it is as secret as one.
 */
const SECRET_FIELDS = new Set(['idNumber', 'birthDate', 'phone', 'passwordHash', 'bindCodeHash', 'wechatOpenid']);

export interface AuditInput {
  operation: string;
  entityName: string;
  entityId: string | number;
  /** Region the row belongs to, so that the trail is scoped like everything else. */
  regionPath?: string | null;
  changes?: Record<string, unknown>;
  reason?: string | null;
}

/**
 * The changes with every secret field's value replaced, at any depth: a resident inside a created
 * household, a list of residents, a `[before, after]` pair of objects. Dates and other leaf values
 * pass as they are; anything with a toJSON (an entity, a Date) is redacted by what it serialises to.
 */
export function redactSecrets(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return '(circular)';
  // `seen` holds the objects on the path from the root only: the same object twice is no cycle.
  seen.add(value);
  const json = (value as { toJSON?: () => unknown }).toJSON;
  const redacted =
    typeof json === 'function'
      ? redactSecrets(json.call(value), seen)
      : Array.isArray(value)
        ? value.map((item) => redactSecrets(item, seen))
        : Object.fromEntries(
            Object.entries(value as Record<string, unknown>).map(([field, inner]) => [field, SECRET_FIELDS.has(field) ? '(changed)' : redactSecrets(inner, seen)]),
          );
  seen.delete(value);
  return redacted;
}

function redact(changes: Record<string, unknown>): Record<string, unknown> {
  return redactSecrets(changes) as Record<string, unknown>;
}

/**
 * Who an entry names when no one signed in acts: the operator's CLI (`account:…`, with the address
 * "cli") or the system itself (seeding). Everyone else is a Caller.
 */
export interface SystemCaller {
  actor: null;
  clientAddress: string | null;
}

/** Queues an audit entry in the caller's unit of work, so it commits or rolls back with the change itself. */
export function recordAudit(em: Em, { actor, clientAddress }: Caller | SystemCaller, input: AuditInput): AuditEntry {
  return em.create(AuditEntry, {
    actor: actor ? em.getReference(UserAccount, actor.accountId) : null,
    operation: input.operation,
    entityName: input.entityName,
    entityId: String(input.entityId),
    regionPath: input.regionPath ?? null,
    changes: input.changes ? JSON.stringify(redact(input.changes)) : null,
    reason: input.reason ?? null,
    clientAddress,
  });
}

/** `{ field: [before, after] }` for the fields that differ. */
export function changesBetween<T extends object>(before: Partial<T>, after: Partial<T>): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    const old = before[key];
    const next = after[key];
    if (JSON.stringify(old) !== JSON.stringify(next)) changes[key as string] = [old ?? null, next ?? null];
  }
  return changes;
}

export const auditService = {
  /** The trail of the caller's scope, newest first. */
  async list(em: Em, actor: Actor, filter: AuditEntryFilter | undefined, page: PageArgs): Promise<Connection<AuditEntry>> {
    assertAllowed(auditPolicy.mayRead(actor));
    const conditions: FilterQuery<AuditEntry>[] = [auditPolicy.scope(actor)];
    if (filter?.actorId) conditions.push({ actor: parseId(filter.actorId, 'filter.actorId') });
    if (filter?.entityName) conditions.push({ entityName: filter.entityName });
    if (filter?.entityId) conditions.push({ entityId: filter.entityId });
    if (filter?.operation) conditions.push({ operation: filter.operation });
    if (filter?.from) conditions.push({ at: { $gte: filter.from } });
    if (filter?.to) conditions.push({ at: { $lt: filter.to } });
    return paginateById(em, AuditEntry, { $and: conditions }, page, { direction: 'desc' });
  },
};
