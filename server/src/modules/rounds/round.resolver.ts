import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { shanghaiDate } from '../../time';
import { Round } from './round.entity';
import { roundService } from './round.service';

@Resolver(() => Round)
export class RoundResolver {
  @Query(() => [Round], { description: 'Every round of the campaign, newest first.' })
  async rounds(@Ctx() { em }: GraphQLContext): Promise<Round[]> {
    return roundService.list(em);
  }

  @Query(() => Round, { nullable: true, description: 'The round running today (Asia/Shanghai), if any.' })
  async currentRound(@Ctx() { em }: GraphQLContext): Promise<Round | null> {
    return roundService.current(em, shanghaiDate(new Date()));
  }
}
