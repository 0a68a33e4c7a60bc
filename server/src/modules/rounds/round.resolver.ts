import { Role } from '@wanjia/shared';
import { Length, Matches, Validate } from 'class-validator';
import { Arg, Authorized, Ctx, Field, InputType, Mutation, Query, Resolver } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import type { GraphQLContext } from '../../graphql/context';
import { PlainText } from '../../core/validation';
import { shanghaiDate } from '../../core/time';
import { Round } from './round.entity';
import { roundService } from './round.service';

@InputType()
class CreateRoundInput {
  @Field(() => String)
  @Length(2, 64)
  @Validate(PlainText)
  name!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  startsOn!: string;

  @Field(() => LocalDateResolver)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  endsOn!: string;
}

@Resolver(() => Round)
export class RoundResolver {
  @Authorized()
  @Query(() => [Round], { description: 'Every round of the campaign, newest first.' })
  async rounds(@Ctx() { em }: GraphQLContext): Promise<Round[]> {
    return roundService.list(em);
  }

  @Authorized()
  @Query(() => Round, { nullable: true, description: 'The round running today (Asia/Shanghai), if any.' })
  async currentRound(@Ctx() { em }: GraphQLContext): Promise<Round | null> {
    return roundService.current(em, shanghaiDate(new Date()));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Round, { description: 'Opens a round (administrators of the city only).' })
  async createRound(@Arg('input', () => CreateRoundInput) input: CreateRoundInput, @Ctx() ctx: GraphQLContext): Promise<Round> {
    return roundService.create(ctx.em, input, ctx.actor!, ctx.clientAddress);
  }
}
