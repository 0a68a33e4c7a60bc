import type { EntityDictionary, FilterQuery, NativeInsertUpdateManyOptions, QueryResult, UpsertManyOptions } from '@mikro-orm/core';
import { MariaDbDriver } from '@mikro-orm/mariadb';
import { MySqlDriver } from '@mikro-orm/mysql';

/**
 * MikroORM's MySQL and MariaDB drivers give the rows of a multi-row INSERT the ids first id + k ×
 * auto_increment_increment, with the step read once per process and kept. On a Galera cluster the
 * step is the cluster's size (wsrep_auto_increment_control) and changes when a node leaves or joins:
 * a process that read 3 and inserts two demands while a node is down (step 2) gives the second one
 * the id of another row, and what refers to it (its timeline step) fails a foreign key or, worse,
 * points at someone else's demand. These drivers read the step again, on the insert's own
 * connection, right after each multi-row INSERT (one more statement per such INSERT). A change of
 * membership between the INSERT and that read would still go unseen; that window is one round trip
 * (docs/galera.md).
 */
export class ClusterSafeMariaDbDriver extends MariaDbDriver {
  override async nativeInsertMany<T extends object>(entityName: string, data: EntityDictionary<T>[], options?: NativeInsertUpdateManyOptions<T>): Promise<QueryResult<T>> {
    // Only ids after the first depend on the step: a batch of one (most of a cadre's writes) needs no re-read.
    if (data.length > 1) this.autoIncrementIncrement = undefined;
    return super.nativeInsertMany(entityName, data, options);
  }

  override async nativeUpdateMany<T extends object>(
    entityName: string,
    where: FilterQuery<T>[],
    data: EntityDictionary<T>[],
    options?: NativeInsertUpdateManyOptions<T> & UpsertManyOptions<T>,
  ): Promise<QueryResult<T>> {
    // Only ids after the first depend on the step: a batch of one (most of a cadre's writes) needs no re-read.
    if (data.length > 1) this.autoIncrementIncrement = undefined;
    return super.nativeUpdateMany(entityName, where, data, options);
  }
}

/** The same for MySQL (Group Replication sets the step too, to 7 by default). */
export class ClusterSafeMySqlDriver extends MySqlDriver {
  override async nativeInsertMany<T extends object>(entityName: string, data: EntityDictionary<T>[], options?: NativeInsertUpdateManyOptions<T>): Promise<QueryResult<T>> {
    // Only ids after the first depend on the step: a batch of one (most of a cadre's writes) needs no re-read.
    if (data.length > 1) this.autoIncrementIncrement = undefined;
    return super.nativeInsertMany(entityName, data, options);
  }

  override async nativeUpdateMany<T extends object>(
    entityName: string,
    where: FilterQuery<T>[],
    data: EntityDictionary<T>[],
    options?: NativeInsertUpdateManyOptions<T> & UpsertManyOptions<T>,
  ): Promise<QueryResult<T>> {
    // Only ids after the first depend on the step: a batch of one (most of a cadre's writes) needs no re-read.
    if (data.length > 1) this.autoIncrementIncrement = undefined;
    return super.nativeUpdateMany(entityName, where, data, options);
  }
}

