import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { parseId } from '../../graphql/errors';
import { Region } from './region.entity';
import { regionService } from './region.service';

@Resolver(() => Region)
export class RegionResolver {
  @Query(() => [Region], { description: 'The children of a region, or the top of the tree when parentId is omitted.' })
  async regions(
    @Ctx() { em }: GraphQLContext,
    @Arg('parentId', () => ID, { nullable: true }) parentId?: string | null,
  ): Promise<Region[]> {
    return regionService.listChildren(em, parentId == null ? null : parseId(parentId, 'parentId'));
  }

  @Query(() => Region, { nullable: true })
  async region(@Ctx() { em }: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Region | null> {
    return regionService.findById(em, parseId(id, 'id'));
  }

  @FieldResolver(() => Region, { nullable: true })
  async parent(@Root() region: Region, @Ctx() { loaders }: GraphQLContext): Promise<Region | null> {
    return region.parent ? loaders.regionById.load(region.parent.id) : null;
  }

  @FieldResolver(() => [Region])
  async children(@Root() region: Region, @Ctx() { loaders }: GraphQLContext): Promise<Region[]> {
    return loaders.regionChildren.load(region.id);
  }
}
