import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type ASTNode, type DocumentNode, type GraphQLError, type ValueNode } from 'graphql';
import type { GraphQLContext } from './context';
import { ErrorCode } from '../core/errors';

const VARIABLE_ERROR = /^Variable "\$([A-Za-z_][A-Za-z0-9_]*)" (?:got invalid value|of required type|of non-null type)/;

/**
 * Where each variable is used, as the argument and input-field path a client wrote it at
 * (`createRound(input: { startsOn: $s })` → `s` ↦ `input.startsOn`). The first use wins.
 */
export function variableUsagePaths(document: DocumentNode): Map<string, string> {
  const paths = new Map<string, string>();
  visit(document, {
    Variable: {
      enter(node, _key, parent, _path, ancestors) {
        if (paths.has(node.name.value)) return;
        const names: string[] = [];
        // graphql-js's ancestors stop above the parent, which is the Argument or ObjectField itself.
        for (const ancestor of [...ancestors, parent] as readonly (ASTNode | readonly ASTNode[] | undefined)[]) {
          if (!ancestor) continue;
          if (Array.isArray(ancestor) || !('kind' in ancestor)) continue;
          const astNode = ancestor as ASTNode;
          if (astNode.kind === Kind.FIELD || astNode.kind === Kind.DIRECTIVE) names.length = 0;
          else if (astNode.kind === Kind.ARGUMENT || astNode.kind === Kind.OBJECT_FIELD) names.push(astNode.name.value);
        }
        // Variable definitions (`$s: LocalDate!`) have no argument above them and are not a use.
        if (names.length > 0) paths.set(node.name.value, names.join('.'));
      },
    },
  });
  return paths;
}

/**
 * The field a wrongly typed variable is about, in the terms of the operation's arguments: the
 * variable's use site plus the path inside the variable that graphql-js reports (`at "i.role"`).
 */
export function variableErrorField(message: string, usage: Map<string, string>): string | null {
  const match = VARIABLE_ERROR.exec(message);
  if (!match) return null;
  const variable = match[1]!;
  // The reported value is printed with its quotes escaped, so only the real path appears as ` at "<variable>…"; `.
  const inner = new RegExp(` at "${variable}((?:[.[][^"]*)?)"(?:;|$)`).exec(message);
  const base = usage.get(variable) ?? variable;
  return dottedIndexes(`${base}${inner?.[1] ?? ''}`);
}

/**
 * One convention for every field an error names: the argument path as the client wrote it, with list
 * positions as path segments (`input.residents.0.idNumber`), the form class-validator and the
 * services use. graphql-js prints positions in brackets (`input.kinds[0]`).
 */
export function dottedIndexes(path: string): string {
  return path.replace(/\[(\d+)\]/g, '.$1');
}

/** The argument path of every value written in the document itself, by its offset in the source. */
function literalValuePaths(document: DocumentNode): Map<number, string> {
  const paths = new Map<number, string>();
  const walkValue = (value: ValueNode, path: string): void => {
    if (value.loc) paths.set(value.loc.start, path);
    if (value.kind === Kind.OBJECT) for (const field of value.fields) walkValue(field.value, `${path}.${field.name.value}`);
    if (value.kind === Kind.LIST) value.values.forEach((item, index) => walkValue(item, `${path}.${index}`));
  };
  visit(document, {
    Argument(node) {
      walkValue(node.value, node.name.value);
    },
  });
  return paths;
}

const MISSING_INPUT_FIELD = /^Field "[A-Za-z_][A-Za-z0-9_]*\.([A-Za-z_][A-Za-z0-9_]*)" of required type "[^"]+" was not provided\.$/;
const MISSING_ARGUMENT = /^Field "[A-Za-z_][A-Za-z0-9_]*" argument "([A-Za-z_][A-Za-z0-9_]*)" of type "[^"]+" is required, but it was not provided\.$/;

/**
 * The field a document's own (literal) argument value is wrong at: graphql-js's validation names the
 * value's position only. `households(first: "x")` → `first`; a required field missing from an input
 * object → that object's path plus the field; a required argument missing → the argument.
 */
export function literalErrorField(error: Pick<GraphQLError, 'message' | 'nodes'>, document: DocumentNode): string | null {
  const missingArgument = MISSING_ARGUMENT.exec(error.message);
  if (missingArgument) return missingArgument[1]!;
  const start = error.nodes?.[0]?.loc?.start;
  if (start === undefined) return null;
  const path = literalValuePaths(document).get(start);
  if (path === undefined) return null;
  const missingField = MISSING_INPUT_FIELD.exec(error.message);
  return missingField ? `${path}.${missingField[1]}` : path;
}

/**
 * graphql-js rejects an argument of the wrong type before any resolver runs: a variable with Apollo's
 * BAD_USER_INPUT, a value written in the document with GRAPHQL_VALIDATION_FAILED, and neither with a
 * field. Clients show an error beside the field at fault, so this names it, in the same convention as
 * every other error (`dottedIndexes`).
 */
export function errorFieldsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, document }) {
          let usage: Map<string, string> | null = null;
          for (const error of errors) {
            if (error.extensions.field !== undefined) continue;
            let field: string | null = null;
            if (error.extensions.code === ErrorCode.BAD_USER_INPUT) {
              usage ??= document ? variableUsagePaths(document) : new Map<string, string>();
              field = variableErrorField(error.message, usage);
            } else if (error.extensions.code === 'GRAPHQL_VALIDATION_FAILED' && document) {
              field = literalErrorField(error, document);
            }
            if (field) (error.extensions as Record<string, unknown>).field = field;
          }
        },
      };
    },
  };
}
