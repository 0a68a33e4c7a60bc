import {
  getArgumentValues,
  getVariableValues,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
// graphql-js's own field collection, the one `execute` runs: fragments, inline fragments, @skip and
// @include with the request's variables, and aliases merged by response key exactly as they execute.
import { collectFields } from 'graphql/execution/collectFields';

/** One root field as it will execute: its name, the key it answers under and its coerced arguments. */
export interface ExecutedRootField {
  name: string;
  responseKey: string;
  args: Readonly<Record<string, unknown>>;
}

export interface ExecutionPlan {
  /** The request's variables coerced as execution will see them (operation defaults applied). */
  variables: Readonly<Record<string, unknown>>;
  /** The root fields that will run (meta fields such as __typename left out). */
  rootFields: readonly ExecutedRootField[];
}

/**
 * What an operation will execute with these variables, or null when its variables do not coerce (the
 * request then fails before anything runs, and Apollo reports why). Rate limits count from this rather
 * than from the document's text, so that no spelling of the same request (a fragment, an inline fragment
 * at the root, a directive with a variable, a default value) escapes them.
 */
export function planExecution(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Readonly<Record<string, unknown>> | undefined,
): ExecutionPlan | null {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null) as Record<string, FragmentDefinitionNode>;
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;

  const rootFields: ExecutedRootField[] = [];
  const fieldDefinitions = rootType.getFields();
  for (const [responseKey, nodes] of collectFields(schema, fragments, coerced.coerced, rootType, operation.selectionSet)) {
    const node = nodes[0]!;
    const definition = fieldDefinitions[node.name.value];
    if (!definition) continue; // __typename and the introspection fields: nothing of ours runs
    let args: Record<string, unknown> = {};
    try {
      args = getArgumentValues(definition, node, coerced.coerced);
    } catch {
      // This field fails before its resolver runs; it is still counted, so that errors cost like calls.
    }
    rootFields.push({ name: node.name.value, responseKey, args });
  }
  return { variables: coerced.coerced, rootFields };
}
