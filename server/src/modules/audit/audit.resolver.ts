import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { PageArgs, type Connection } from '../../core/pagination';
import { AuditEntry } from './audit-entry.entity';
import { AuditEntryFilter } from './audit.inputs';
import { auditService } from './audit.service';
import { AuditEntryConnection } from './audit.types';

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Authorized(Role.ADMIN)
  @Query(() => AuditEntryConnection, { description: "The audit trail of the caller's subtree, newest first." })
  async auditEntries(
    @Args() page: PageArgs,
    @Arg('filter', () => AuditEntryFilter, { nullable: true }) filter: AuditEntryFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<AuditEntry>> {
    return auditService.list(ctx.em, ctx.actor!, filter, page);
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The account that acted; null for the system.' })
  actorId(@Root() entry: AuditEntry): number | null {
    return entry.actor?.id ?? null;
  }
}
