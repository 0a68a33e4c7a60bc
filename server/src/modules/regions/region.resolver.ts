import { Role } from '@wanjia/shared';
import { RegionLevel } from '@wanjia/shared';
import { IsEnum, Length, Matches, Validate } from 'class-validator';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PlainText } from '../../core/validation';
import { pathInScope } from '../../core/caller';
import { Region } from './region.entity';
import { regionService } from './region.service';

@InputType()
class CreateRegionInput {
  @Field(() => String, { description: '12-digit administrative division code.' })
  @Matches(/^\d{12}$/, { message: 'code must be the 12-digit division code' })
  code!: string;

  @Field(() => String)
  @Length(1, 64)
  @Validate(PlainText)
  name!: string;

  @Field(() => RegionLevel)
  @IsEnum(RegionLevel)
  level!: RegionLevel;

  @Field(() => ID)
  parentId!: string;
}

/** The new name is checked like a created region's: an empty or 10,000-character name was written as is. */
@ArgsType()
class RenameRegionArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  @Length(1, 64)
  @Matches(/\S/, { message: 'name must not be blank' })
  @Validate(PlainText)
  name!: string;
}

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
    return regionService.create(ctx.em, { ...input, parentId: parseId(input.parentId, 'input.parentId') }, ctx.actor!, ctx.clientAddress);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Region, { description: 'Renames a region (administrators of the city only); codes never change.' })
  async updateRegion(@Args() { id, name }: RenameRegionArgs, @Ctx() ctx: GraphQLContext): Promise<Region> {
    return regionService.rename(ctx.em, parseId(id, 'id'), name, ctx.actor!, ctx.clientAddress);
  }

  @FieldResolver(() => Region, { nullable: true, description: "Null above the caller's scope." })
  async parent(@Root() region: Region, @Ctx() { loaders, actor }: GraphQLContext): Promise<Region | null> {
    if (!region.parent) return null;
    const parent = await loaders.regionById.load(region.parent.id);
    return parent && actor && pathInScope(actor, parent.path) ? parent : null;
  }

  @FieldResolver(() => [Region], { description: "Children within the caller's scope (a region reached from above the scope shows only the way down to it)." })
  async children(@Root() region: Region, @Ctx() { loaders, actor }: GraphQLContext): Promise<Region[]> {
    if (!actor?.scopePath) return [];
    const scope = actor.scopePath;
    const children = await loaders.regionChildren.load(region.id);
    return children.filter((child) => child.path.startsWith(scope) || scope.startsWith(child.path));
  }
}
