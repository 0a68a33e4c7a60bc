import { Role } from '@wanjia/shared';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { Region } from './region.entity';
import { CreateRegionInput, RenameRegionArgs } from './region.inputs';
import { regionPolicy } from './region.policy';
import { regionService } from './region.service';

@Resolver(() => Region)
export class RegionResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [Region], { description: "The children of a region in scope, or the caller's scope root when parentId is omitted." })
  async regions(@Ctx() ctx: GraphQLContext, @Arg('parentId', () => ID, { nullable: true }) parentId?: string | null): Promise<Region[]> {
    return regionService.listChildren(ctx.em, ctx.actor!, parentId == null ? null : parseId(parentId, 'parentId'));
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => Region)
  async region(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Region> {
    return regionService.findInScope(ctx.em, ctx.actor!, parseId(id, 'id'));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Region, { description: 'Adds a region under an existing one (administrators of the city only).' })
  async createRegion(@Arg('input', () => CreateRegionInput) input: CreateRegionInput, @Ctx() ctx: GraphQLContext): Promise<Region> {
    return regionService.create(ctx.em, input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Region, { description: 'Renames a region (administrators of the city only); codes never change.' })
  async updateRegion(@Args() args: RenameRegionArgs, @Ctx() ctx: GraphQLContext): Promise<Region> {
    return regionService.rename(ctx.em, args, callerOf(ctx));
  }

  @FieldResolver(() => Region, { nullable: true, description: "Null above the caller's scope." })
  async parent(@Root() region: Region, @Ctx() { loaders, actor }: GraphQLContext): Promise<Region | null> {
    if (!region.parent) return null;
    const parent = await loaders.regionById.load(region.parent.id);
    return parent && regionPolicy.seesParent(actor, parent) ? parent : null;
  }

  @FieldResolver(() => [Region], { description: "Children within the caller's scope (a region reached from above the scope shows only the way down to it)." })
  async children(@Root() region: Region, @Ctx() { loaders, actor }: GraphQLContext): Promise<Region[]> {
    // No scope, no tree: nothing is loaded for a caller who could see none of it.
    if (!actor?.scopePath) return [];
    const children = await loaders.regionChildren.load(region.id);
    return children.filter((child) => regionPolicy.seesChild(actor, child));
  }
}
