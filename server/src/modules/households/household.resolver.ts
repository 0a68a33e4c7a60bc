import { KeyFocusReason, Role, birthYearOf, maskIdNumber, maskPhone } from '@wanjia/shared';
import { wrap } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type GraphQLContext } from '../../graphql/context';
import { parseId } from '../../core/errors';
import { PageArgs, type Connection } from '../../core/pagination';
import { shanghaiDate } from '../../core/time';
import { Assignment } from '../assignments/assignment.entity';
import { Demand } from '../demands/demand.entity';
import { RECENT_CLOSED_DEMANDS } from '../demands/demand.loaders';
import { HelpRecord } from '../help-records/help-record.entity';
import { HelpRecordConnection } from '../help-records/help-record.types';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Region } from '../regions/region.entity';
import type { ResidentWriter } from './duplicate-id-guard';
import { Household } from './household.entity';
import { CreateHouseholdInput, HouseholdFilter, ResidentChangeArgs, RevealResidentArgs, UpdateHouseholdInput } from './household.inputs';
import { householdPolicy } from './household.policy';
import { householdService } from './household.service';
import { HouseholdConnection, RevealedResident } from './household.types';
import { Resident } from './resident.entity';
import { residentPolicy } from './resident.policy';

/** The caller of a resident write, with the duplicate-ID-number check's budget (duplicate-id-guard.ts). */
function residentWriter(ctx: GraphQLContext): ResidentWriter {
  return {
    ...callerOf(ctx),
    duplicateIds: { hitsPerDay: ctx.config.duplicateIdHitsPerDay, secret: ctx.config.auth.jwtSecret },
  };
}

@Resolver(() => Household)
export class HouseholdResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => HouseholdConnection, { description: "Households of the caller's region subtree." })
  async households(
    @Args() page: PageArgs,
    @Arg('filter', () => HouseholdFilter, { nullable: true }) filter: HouseholdFilter | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<Household>> {
    return householdService.list(ctx.em, ctx.actor!, filter, page);
  }

  @Authorized(Role.ADMIN, Role.ANALYST, Role.CADRE)
  @Query(() => Household, { description: 'A household in scope (staff) or assigned to the caller (cadres).' })
  async household(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Household> {
    const household = await householdService.findReadable(ctx.em, ctx.actor!, parseId(id, 'id'));
    // findReadable read it under the household policy's scope, the object-scope guard's own rule: the
    // guard's check of this household (and of its file's objects) needs no statement of its own.
    ctx.loaders.householdReadable.prime(household.id, true);
    return household;
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Household)
  async createHousehold(@Arg('input', () => CreateHouseholdInput) input: CreateHouseholdInput, @Ctx() ctx: GraphQLContext): Promise<Household> {
    return householdService.create(ctx.em, input, residentWriter(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Household, { description: 'Updates a household; `expectedVersion` must be the version you read.' })
  async updateHousehold(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateHouseholdInput) input: UpdateHouseholdInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Household> {
    return householdService.update(ctx.em, parseId(id, 'id'), input, callerOf(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Resident)
  async addResident(
    @Arg('householdId', () => ID) householdId: string,
    @Args() { householdVersion, input }: ResidentChangeArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Resident> {
    return householdService.addResident(ctx.em, parseId(householdId, 'householdId'), householdVersion, input, residentWriter(ctx));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Resident)
  async updateResident(
    @Arg('id', () => ID) id: string,
    @Args() { householdVersion, input }: ResidentChangeArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Resident> {
    return householdService.updateResident(ctx.em, parseId(id, 'id'), householdVersion, input, residentWriter(ctx));
  }

  @Authorized(Role.ADMIN, Role.CADRE)
  @Mutation(() => RevealedResident, { description: 'The unmasked ID number, key-focus reason and phone of a resident; audited with the reason.' })
  async revealResident(@Args() { id, reason }: RevealResidentArgs, @Ctx() ctx: GraphQLContext): Promise<RevealedResident> {
    return householdService.revealResident(ctx.em, parseId(id, 'id'), reason.trim(), callerOf(ctx));
  }

  @FieldResolver(() => Region)
  async region(@Root() household: Household, @Ctx() { loaders }: GraphQLContext): Promise<Region> {
    // The root household(id) reads its region in the same statement (populate): no second read.
    if (wrap(household.region).isInitialized()) return household.region;
    return (await loaders.regionById.load(household.region.id))!;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Full for the assigned cadre, masked (138****5678) for staff.' })
  phone(@Root() household: Household, @Ctx() { actor }: GraphQLContext): string | null {
    if (!household.phone) return null;
    return actor && householdPolicy.seesPhone(actor) ? household.phone : maskPhone(household.phone);
  }

  @FieldResolver(() => [Resident])
  async residents(@Root() household: Household, @Ctx() { loaders }: GraphQLContext): Promise<Resident[]> {
    return loaders.residentsByHousehold.load(household.id);
  }

  @FieldResolver(() => [Demand], { description: 'Demands still open, in progress or escalated, newest first.' })
  async openDemands(@Root() household: Household, @Ctx() { loaders }: GraphQLContext): Promise<Demand[]> {
    return loaders.openDemandsByHousehold.load(household.id);
  }

  @FieldResolver(() => [Demand], { description: "Demands a help record resolved that wait for the household's confirmation (status RESOLVED)." })
  async demandsAwaitingConfirmation(@Root() household: Household, @Ctx() { loaders }: GraphQLContext): Promise<Demand[]> {
    // Batched like openDemands: a page of households costs one statement.
    return loaders.awaitingConfirmationByHousehold.load(household.id);
  }

  @FieldResolver(() => [Demand], { description: `The last ${RECENT_CLOSED_DEMANDS} resolved or confirmed demands.` })
  async recentClosedDemands(@Root() household: Household, @Ctx() { loaders }: GraphQLContext): Promise<Demand[]> {
    // Batched: a page of households asking for it costs two statements, not one per household.
    return loaders.recentClosedDemandsByHousehold.load(household.id);
  }

  @FieldResolver(() => [PetitionCase], { description: 'Petition cases of the household, newest first.' })
  async petitionCases(@Root() household: Household, @Ctx() { loaders }: GraphQLContext): Promise<PetitionCase[]> {
    return loaders.petitionCasesByHousehold.load(household.id);
  }

  @FieldResolver(() => [Assignment], { description: 'Every assignment the household had, newest first: one history across transfers.' })
  async assignmentHistory(@Root() household: Household, @Ctx() { loaders }: GraphQLContext): Promise<Assignment[]> {
    return loaders.assignmentsByHousehold.load(household.id);
  }

  @FieldResolver(() => HelpRecordConnection, { description: 'Help records, the most recent occasion first; corrected versions only with includeSuperseded.' })
  async helpRecords(
    @Root() household: Household,
    @Args() page: PageArgs,
    @Arg('includeSuperseded', () => Boolean, { defaultValue: false }) includeSuperseded: boolean,
    @Ctx() { loaders }: GraphQLContext,
  ): Promise<Connection<HelpRecord>> {
    // Batched: a page of households asking for their records costs two statements, not two per household.
    return loaders.helpRecordPagesByHousehold.load({ householdId: household.id, first: page.first, after: page.after, includeSuperseded });
  }

  @FieldResolver(() => [Assignment], { description: "The household's active assignments (normally one)." })
  async activeAssignments(@Root() household: Household, @Ctx() { loaders }: GraphQLContext): Promise<Assignment[]> {
    return loaders.activeAssignmentsByHousehold.load(household.id);
  }
}

@Resolver(() => Resident)
export class ResidentResolver {
  @FieldResolver(() => String, { nullable: true, description: 'Always masked to its address code (210502************); revealResident returns it.' })
  idNumber(@Root() resident: Resident): string | null {
    return resident.idNumber ? maskIdNumber(resident.idNumber) : null;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'The year of birth; the full birth date comes with revealResident (household policy).' })
  birthYear(@Root() resident: Resident): number | null {
    return birthYearOf(resident.birthDate);
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'The age the person reaches this year (this year minus the birth year): it never changes on the birthday, which would give the date away.',
  })
  age(@Root() resident: Resident): number | null {
    const year = birthYearOf(resident.birthDate);
    return year === null ? null : Number(shanghaiDate(new Date()).slice(0, 4)) - year;
  }

  @FieldResolver(() => Boolean, { description: 'Whether the person is on a key-focus list (the reason is sensitive).' })
  isKeyFocus(@Root() resident: Resident): boolean {
    return resident.keyFocusReason != null;
  }

  @FieldResolver(() => KeyFocusReason, { nullable: true, description: 'Hidden (null) from analysts.' })
  keyFocusReason(@Root() resident: Resident, @Ctx() { actor }: GraphQLContext): KeyFocusReason | null {
    return actor && residentPolicy.seesKeyFocusReason(actor) ? (resident.keyFocusReason ?? null) : null;
  }
}
