import { LockMode, type EntityName } from '@mikro-orm/core';
import { isSqlite, type Em } from './entity-manager';

/**
 * Reads a row with `SELECT … FOR UPDATE` inside the caller's transaction, so that two administrators
 * changing the same household's assignments take turns. SQLite has no row locks; it serializes
 * writers for the whole database, which gives the same guarantee.
 */
export async function lockForUpdate<T extends object>(tx: Em, entity: EntityName<T>, id: number): Promise<T | null> {
  return tx.findOne(entity, { id } as never, isSqlite(tx) ? {} : { lockMode: LockMode.PESSIMISTIC_WRITE });
}
