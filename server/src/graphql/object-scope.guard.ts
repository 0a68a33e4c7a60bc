import DataLoader from 'dataloader';
import {
  defaultFieldResolver,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import type { Em } from '../core/entity-manager';
import type { Actor } from '../core/caller';
import { Cadre } from '../modules/cadres/cadre.entity';
import { Demand } from '../modules/demands/demand.entity';
import { demandPolicy } from '../modules/demands/demand.policy';
import { cadrePolicy } from '../modules/cadres/cadre.policy';
import { Household } from '../modules/households/household.entity';
import { householdPolicy } from '../modules/households/household.policy';
import { helpRecordPolicy } from '../modules/help-records/help-record.policy';
import type { GraphQLContext } from './context';
import { ForbiddenError } from '../core/errors';

/**
 * The object-level scope guard: every object of a household-file type that an answer carries is
 * checked for the caller, however it was reached — a root, a mutation's result, or any nested field
 * (a help record → its demands → their household → its residents). Root queries scope their lists in
 * SQL; this guard is what keeps the nested paths and idempotent replays from stepping around them,
 * and it holds whether or not the persisted-operation safelist is on.
 *
 * The rule (household policy's scope): staff read a household-file object when its household lies in
 * their region subtree; a cadre while the household has an active assignment to that cadre. A unit's
 * handler (联络员) also reads the demands referred to their unit (demand policy's scope), and nothing
 * else of that household's file. A cadre also
 * reads the help records that cadre wrote (a resend after a transfer is acknowledged with the
 * cadre's own record, and nothing of the household). An object the caller may not read answers like
 * one that does not exist: dropped from a list, null where the field is nullable, FORBIDDEN (the
 * roots' answer) where it is not, so it is never partially returned.
 *
 * Cost: one batched statement per wave of objects for the households not seen yet in the request
 * (a DataLoader per request), none for a household already checked.
 */

/** Which household an object of each guarded type belongs to. */
const HOUSEHOLD_OF: Record<string, (object: Record<string, unknown>) => number | null> = {
  Household: (object) => numberOrNull(object.id),
  Resident: householdReference,
  Demand: householdReference,
  PetitionCase: householdReference,
  Assignment: householdReference,
  HelpRecord: householdReference,
};

export const GUARDED_TYPES: readonly string[] = Object.keys(HOUSEHOLD_OF);

function numberOrNull(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : null;
}

function householdReference(object: Record<string, unknown>): number | null {
  const household = object.household as { id?: unknown } | number | null | undefined;
  return typeof household === 'object' && household !== null ? numberOrNull(household.id) : numberOrNull(household);
}

/** The caller's own help records stay readable to their author (the acknowledgement of a resend). */
function authoredByCaller(typeName: string, object: Record<string, unknown>, actor: Actor): boolean {
  if (typeName !== 'HelpRecord') return false;
  const cadre = object.cadre as { id?: unknown } | null | undefined;
  return helpRecordPolicy.mayReadAsAuthor(actor, { authorCadreId: numberOrNull(cadre?.id) });
}

/**
 * Which of these ids a policy's scope lets the caller read, in one statement whatever their number.
 * Raw rows, not entities: a partial entity in the request's identity map would be handed to later
 * reads of the same object.
 */
export async function idsInScope<Entity extends { id: number }>(
  em: Em,
  entity: EntityName<Entity>,
  scope: FilterQuery<Entity>,
  ids: readonly number[],
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await em
    .createQueryBuilder(entity, 'e')
    .select('e.id')
    .where({ $and: [{ id: { $in: [...ids] } }, scope] } as FilterQuery<Entity>)
    .execute<{ id: number | string }[]>('all', false);
  return new Set(rows.map((row) => Number(row.id)));
}

export interface ObjectScopeLoaders {
  /** Whether the caller may read a household's file; one statement per batch. */
  householdReadable: DataLoader<number, boolean>;
  /**
   * Whether the caller may read a demand by the demand policy's scope: besides the household's file, a
   * unit's handler reads the demands referred to their unit (demand.policy.ts). One statement per batch.
   */
  demandReadable: DataLoader<number, boolean>;
  /** Whether the caller sees a cadre's full phone (an administrator over the cadre's unit); one statement per batch. */
  cadrePhoneVisible: DataLoader<number, boolean>;
}

export function createObjectScopeLoaders(em: Em, actor: Actor | null): ObjectScopeLoaders {
  return {
    householdReadable: new DataLoader<number, boolean>(async (ids) => {
      const readable = actor ? await idsInScope(em, Household, householdPolicy.scope(actor), ids) : new Set<number>();
      return ids.map((id) => readable.has(id));
    }),
    demandReadable: new DataLoader<number, boolean>(async (ids) => {
      const readable = actor ? await idsInScope(em, Demand, demandPolicy.scope(actor), ids) : new Set<number>();
      return ids.map((id) => readable.has(id));
    }),
    cadrePhoneVisible: new DataLoader<number, boolean>(async (ids) => {
      const visible = actor && cadrePolicy.seesManagedPhones(actor) ? await idsInScope(em, Cadre, cadrePolicy.scope(actor), ids) : new Set<number>();
      return ids.map((id) => visible.has(id));
    }),
  };
}

async function readable(typeName: string, objects: unknown[], context: GraphQLContext): Promise<boolean[]> {
  const { actor } = context;
  if (!actor) return objects.map(() => false);
  const householdOf = HOUSEHOLD_OF[typeName]!;
  return Promise.all(
    objects.map(async (value) => {
      if (value === null || typeof value !== 'object') return false;
      const object = value as Record<string, unknown>;
      if (authoredByCaller(typeName, object, actor)) return true;
      const householdId = householdOf(object);
      // An object whose household cannot be told is not shown: the guard fails closed.
      if (householdId === null) return false;
      if (await context.loaders.householdReadable.load(householdId)) return true;
      // A demand referred to a unit the caller handles: readable without its household (whose file stays guarded).
      const demandId = typeName === 'Demand' ? numberOrNull(object.id) : null;
      return demandId === null ? false : context.loaders.demandReadable.load(demandId);
    }),
  );
}

/** The value with every object the caller may not read taken out, as its GraphQL type allows. */
async function keepReadable(type: GraphQLOutputType, typeName: string, value: unknown, context: GraphQLContext): Promise<unknown> {
  if (isNonNullType(type)) {
    const kept = await keepReadable(type.ofType, typeName, value, context);
    if (kept === null && value !== null && value !== undefined) throw new ForbiddenError();
    return kept;
  }
  if (value === null || value === undefined) return value ?? null;
  if (isListType(type)) {
    const items = await Promise.all(Array.from(value as Iterable<unknown>));
    const inner = isNonNullType(type.ofType) ? type.ofType.ofType : type.ofType;
    if (isListType(inner)) return Promise.all(items.map((item) => keepReadable(type.ofType, typeName, item, context)));
    const verdicts = await readable(typeName, items, context);
    return items.filter((_, index) => verdicts[index]);
  }
  const [verdict] = await readable(typeName, [value], context);
  return verdict ? value : null;
}

/**
 * Wraps the resolver of every field, of every type, whose result is a guarded type, so that a field
 * added later is guarded without anyone remembering to. Runs once on the built schema.
 */
export function guardObjectScope(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const typeName = getNamedType(field.type).name;
      if (!(typeName in HOUSEHOLD_OF)) continue;
      const resolve: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve ?? defaultFieldResolver;
      field.resolve = async (source, args, context: GraphQLContext, info) =>
        keepReadable(field.type, typeName, await resolve(source, args, context, info), context);
    }
  }
  return schema;
}
