import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { validate, type DocumentNode, type GraphQLSchema, type ValidationContext } from 'graphql';
import type { QueryLimits } from '../../config';
import { compileCostPlan, MAX_ROUND_TRIPS, type CostPlan, type CostVariables } from './query-cost';

/**
 * What one operation asks for: graphql-armor's measures, its cost with the request's variables, and
 * its parent↔children round trips (one limit for every role, MAX_ROUND_TRIPS: no legitimate document
 * turns back twice along a path).
 */
export type Measures = QueryLimits & { roundTrips: number };

export type LimitName = keyof Measures;

/** The order limits are reported in when several are exceeded: the most telling first. */
export const LIMIT_NAMES: readonly LimitName[] = ['tokens', 'depth', 'roundTrips', 'cost', 'aliases', 'directives'];

const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** What a document measures whoever sends it, and the plan that prices it with a request's variables. */
export interface DocumentAnalysis {
  measures: Omit<Measures, 'cost' | 'roundTrips'>;
  cost: CostPlan;
}

/**
 * Analyses a parsed document once: graphql-armor's own rules, run without a limit so that each reports
 * what it found (the largest over the document's operations), and the compiled cost plan. Role limits
 * are then plain comparisons: Apollo validates and caches a document once for everybody, while the
 * limits depend on the caller and the cost on the variables.
 */
export function analyseDocument(schema: GraphQLSchema, document: DocumentNode, source: string): DocumentAnalysis {
  const found: Omit<Measures, 'tokens' | 'cost' | 'roundTrips'> = { depth: 0, aliases: 0, directives: 0 };
  const record =
    (name: keyof typeof found) =>
    (_context: ValidationContext | null, details: { n: number }): void => {
      found[name] = Math.max(found[name], details.n);
    };
  validate(schema, document, [
    maxDepthRule({ n: UNLIMITED, onAccept: [record('depth')] }),
    maxAliasesRule({ n: UNLIMITED, onAccept: [record('aliases')] }),
    maxDirectivesRule({ n: UNLIMITED, onAccept: [record('directives')] }),
  ]);
  return { measures: { ...found, tokens: countTokens(source) }, cost: compileCostPlan(schema, document) };
}

/**
 * A document's measures for one operation and its coerced variables; with `unknown` variables every
 * page size given by a variable counts as the largest page.
 */
export function measureDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  source: string,
  variables: CostVariables = 'unknown',
  operationName?: string | null,
): Measures {
  const analysis = analyseDocument(schema, document, source);
  return measuresFor(analysis, operationName, variables);
}

export function measuresFor(analysis: DocumentAnalysis, operationName: string | null | undefined, variables: CostVariables): Measures {
  return { ...analysis.measures, roundTrips: analysis.cost.roundTrips, cost: analysis.cost.costOf(operationName, variables) };
}

/** Lexical tokens of an operation's text, counted by graphql-armor's max-tokens lexer. */
export function countTokens(source: string): number {
  const parser = new MaxTokensParserWLexer(source, { n: UNLIMITED });
  parser.parseDocument();
  return parser.tokenCount;
}

export interface ExceededLimit {
  limit: LimitName;
  max: number;
  actual: number;
}

export function firstExceeded(measures: Measures, limits: QueryLimits): ExceededLimit | null {
  const maxima: Measures = { ...limits, roundTrips: MAX_ROUND_TRIPS };
  for (const limit of LIMIT_NAMES) {
    if (measures[limit] > maxima[limit]) return { limit, max: maxima[limit], actual: measures[limit] };
  }
  return null;
}
