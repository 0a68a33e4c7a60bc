import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type ASTNode, type DocumentNode } from 'graphql';
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
  return `${base}${inner?.[1] ?? ''}`;
}

/**
 * graphql-js rejects a variable of the wrong type before any resolver runs, with Apollo's
 * BAD_USER_INPUT and no field. Clients show an error beside the field at fault, so this names it.
 */
export function variableFieldsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, document }) {
          let usage: Map<string, string> | null = null;
          for (const error of errors) {
            if (error.extensions.code !== ErrorCode.BAD_USER_INPUT || error.extensions.field !== undefined) continue;
            usage ??= document ? variableUsagePaths(document) : new Map<string, string>();
            const field = variableErrorField(error.message, usage);
            if (field) (error.extensions as Record<string, unknown>).field = field;
          }
        },
      };
    },
  };
}
