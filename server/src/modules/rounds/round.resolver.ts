import { Role } from '@wanjia/shared';
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { shanghaiDate } from '../../core/time';
import { Round } from './round.entity';
import { CreateRoundInput } from './round.inputs';
import { roundService } from './round.service';

@Resolver(() => Round)
export class RoundResolver {
  @Authorized()
  @Query(() => [Round], { description: 'Every round of the campaign, newest first.' })
  async rounds(@Ctx() ctx: GraphQLContext): Promise<Round[]> {
    return roundService.list(ctx.em, ctx.actor!);
  }

  @Authorized()
  @Query(() => Round, { nullable: true, description: 'The round running today (Asia/Shanghai), if any.' })
  async currentRound(@Ctx() { loaders }: GraphQLContext): Promise<Round | null> {
    return loaders.currentRoundOn.load(shanghaiDate(new Date()));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Round, { description: 'Opens a round (administrators of the city only).' })
  async createRound(@Arg('input', () => CreateRoundInput) input: CreateRoundInput, @Ctx() ctx: GraphQLContext): Promise<Round> {
    return roundService.create(ctx.em, input, callerOf(ctx));
  }
}
