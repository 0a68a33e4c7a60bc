import { Role } from '@wanjia/shared';
import type { FilterQuery } from '@mikro-orm/core';
import { IsOptional, Length, Validate } from 'class-validator';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Query, Resolver, Root } from 'type-graphql';
import { paginateById } from '../../core/pagination';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { ConnectionType, PageArgs, type Connection } from '../../core/pagination';
import { PlainText } from '../../core/validation';
import { isRootAdmin } from '../../core/caller';
import { pathSubtree } from '../../core/region-scope';
import { AuditEntry } from './audit-entry.entity';

const AuditEntryConnection = ConnectionType(AuditEntry, 'AuditEntryConnection');

@InputType()
class AuditEntryFilter {
  @Field(() => ID, { nullable: true, description: 'The account that acted.' })
  actorId?: string;

  @Field(() => String, { nullable: true, description: 'e.g. Household, Resident, Assignment.' })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  entityName?: string;

  @Field(() => ID, { nullable: true })
  entityId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 64)
  @Validate(PlainText)
  operation?: string;

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;
}

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Authorized(Role.ADMIN)
  @Query(() => AuditEntryConnection, { description: "The audit trail of the caller's subtree, newest first." })
  async auditEntries(
    @Args() page: PageArgs,
    @Arg('filter', () => AuditEntryFilter, { nullable: true }) filter: AuditEntryFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<AuditEntry>> {
    const actor = ctx.actor!;
    // City-wide rows (rounds, contact points, sign-ins) carry no region: only the city's administrators read them.
    const scope: FilterQuery<AuditEntry> = isRootAdmin(actor) ? {} : { regionPath: pathSubtree(actor) };
    const conditions: FilterQuery<AuditEntry>[] = [scope];
    if (filter?.actorId) conditions.push({ actor: parseId(filter.actorId, 'filter.actorId') });
    if (filter?.entityName) conditions.push({ entityName: filter.entityName });
    if (filter?.entityId) conditions.push({ entityId: filter.entityId });
    if (filter?.operation) conditions.push({ operation: filter.operation });
    if (filter?.from) conditions.push({ at: { $gte: filter.from } });
    if (filter?.to) conditions.push({ at: { $lt: filter.to } });
    return paginateById(ctx.em, AuditEntry, { $and: conditions }, page, { direction: 'desc' });
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The account that acted; null for the system.' })
  actorId(@Root() entry: AuditEntry): number | null {
    return entry.actor?.id ?? null;
  }
}
