import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { validate, type DocumentNode, type GraphQLSchema, type ValidationContext } from 'graphql';
import type { QueryLimits } from '../../config';

/** What one document asks for, in graphql-armor's measures (the same numbers its rules compare). */
export type Measures = QueryLimits;

export type LimitName = keyof QueryLimits;

/** The order limits are reported in when several are exceeded: the most telling first. */
export const LIMIT_NAMES: readonly LimitName[] = ['tokens', 'depth', 'cost', 'aliases', 'directives'];

const UNLIMITED = Number.MAX_SAFE_INTEGER;

/**
 * Measures a parsed document with graphql-armor's own rules, run without a limit so that each reports
 * what it found (the largest over the document's operations). Role limits are then plain comparisons:
 * Apollo validates and caches a document once for everybody, while the limits depend on the caller.
 */
export function measureDocument(schema: GraphQLSchema, document: DocumentNode, source: string): Measures {
  const found: Omit<Measures, 'tokens'> = { depth: 0, cost: 0, aliases: 0, directives: 0 };
  const record =
    (name: keyof typeof found) =>
    (_context: ValidationContext | null, details: { n: number }): void => {
      found[name] = Math.max(found[name], details.n);
    };
  validate(schema, document, [
    maxDepthRule({ n: UNLIMITED, onAccept: [record('depth')] }),
    costLimitRule({ maxCost: UNLIMITED, onAccept: [record('cost')] }),
    maxAliasesRule({ n: UNLIMITED, onAccept: [record('aliases')] }),
    maxDirectivesRule({ n: UNLIMITED, onAccept: [record('directives')] }),
  ]);
  return { ...found, cost: Math.ceil(found.cost), tokens: countTokens(source) };
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
  for (const limit of LIMIT_NAMES) {
    if (measures[limit] > limits[limit]) return { limit, max: limits[limit], actual: measures[limit] };
  }
  return null;
}
