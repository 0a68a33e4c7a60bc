import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import './enums';
import { AccountResolver } from '../modules/accounts/account.resolver';
import { AnalyticsResolver } from '../modules/analytics/analytics.resolver';
import { AssignmentResolver } from '../modules/assignments/assignment.resolver';
import { AuditResolver } from '../modules/audit/audit.resolver';
import { AuthResolver } from '../modules/auth/auth.resolver';
import { CadreResolver } from '../modules/cadres/cadre.resolver';
import { ContactPointResolver } from '../modules/contact-points/contact-point.resolver';
import { DemandResolver } from '../modules/demands/demand.resolver';
import { HelpRecordResolver } from '../modules/help-records/help-record.resolver';
import { MyWorkResolver } from '../modules/my-work/my-work.resolver';
import { HouseholdResolver, ResidentResolver } from '../modules/households/household.resolver';
import { PetitionCaseResolver } from '../modules/petition-cases/petition-case.resolver';
import { RegionResolver } from '../modules/regions/region.resolver';
import { RoundResolver } from '../modules/rounds/round.resolver';
import { UnitPairingResolver } from '../modules/unit-pairings/unit-pairing.resolver';
import { UnitResolver } from '../modules/units/unit.resolver';
import { validateArgument } from './argument-validation';
import { authChecker } from './auth-checker';
import { guardObjectScope } from './object-scope';

export const RESOLVERS = [
  AuthResolver,
  AccountResolver,
  RegionResolver,
  RoundResolver,
  UnitResolver,
  UnitPairingResolver,
  CadreResolver,
  HouseholdResolver,
  ResidentResolver,
  PetitionCaseResolver,
  DemandResolver,
  AssignmentResolver,
  ContactPointResolver,
  AuditResolver,
  HelpRecordResolver,
  MyWorkResolver,
  AnalyticsResolver,
] as const;

export async function buildApiSchema(): Promise<GraphQLSchema> {
  // Every object of a household-file type is checked for the caller however it is reached (object-scope.ts).
  return guardObjectScope(
    await buildSchema({
      resolvers: RESOLVERS,
      authChecker,
      validateFn: validateArgument,
    }),
  );
}

/** The SDL as committed in shared/schema.graphql: sorted, so that diffs show real changes only. */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
