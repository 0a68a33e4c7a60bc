import {
  getNamedType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination';

/**
 * graphql-armor's cost (objects 2, scalars 1, children ×1.5 per level, a page × its size) plus a
 * database statement's worth for each page (PAGE_STATEMENT_COST), compiled
 * once per document into a small plan whose page sizes are read from the request's variables. The
 * armor rule multiplies by a literal `first` only: the same document with `first: $n` measured 1 per
 * page, so 100 × 100 nested pages passed as cheap. Here a page size given by a variable counts with
 * the variable's coerced value (its default applied), an absent one with the list's default page size
 * (what the resolver serves), and one that cannot be known (no variables) with the maximum page size.
 */

/** Arguments that set how many items a list returns (graphql-armor reads the same two). */
const PAGE_SIZE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last']);

/**
 * Fields whose work does not show in what they return: each analytics figure sheet aggregates a
 * region's whole campaign (every household, record, demand and case of the slice). Measured on the demo
 * data (SQLite, whose driver runs on the event loop): 30 aliased campaignBreakdowns in one request took
 * 1.25 s and held /healthz as long, at a cost of 1,400 by shape alone. At 4,000 each an analyst or an
 * administrator (cost limit 25,000) runs at most 6 in one request (≈ 0.25 s there); a dashboard sends two
 * or three. (Below the anonymous limit of 5,000, so that a caller without a token hears UNAUTHENTICATED.)
 */
export const FIELD_COSTS: Readonly<Record<string, number>> = {
  'Query.campaignOverview': 4_000,
  'Query.campaignBreakdown': 4_000,
  'Query.coverageGaps': 4_000,
  'Query.cadreWorkload': 4_000,
  'Query.demandAging': 4_000,
};

/**
 * A page is one database statement whatever its size, and a page nested under a list is one statement
 * per parent (a household's help records cannot be fetched for 100 households in one keyset query). On
 * the demo data (SQLite, on the event loop) each nested page took 4-7 ms: 100 households × 9 records
 * each (cost 24,500 by shape) held /healthz 0.6-0.8 s. At 300 a page, 25,000 allows about 37 nested pages
 * (≈ 0.25 s) and any number of items in a few pages.
 */
export const PAGE_STATEMENT_COST = 300;

const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_COST_FACTOR = 1.5;

/** Where a page's size comes from. */
type PageSize = { kind: 'literal'; value: number } | { kind: 'variable'; name: string } | { kind: 'default' };

interface CostNode {
  base: number;
  /** Counted once per instance of the node, outside its page size: PAGE_STATEMENT_COST for a page. */
  statement: number;
  pageSize: PageSize | null;
  /** Each child counts DEPTH_COST_FACTOR × its cost (a fragment spread: 1 + 1.5 × its fragment). */
  children: CostNode[];
}

export interface CostPlan {
  /** The cost of one operation of the document (by name; null for the only one) with these variables. */
  costOf(operationName: string | null | undefined, variables: CostVariables): number;
  /** Whether any page size in the document depends on a variable. */
  readonly dependsOnVariables: boolean;
}

/** Coerced variable values, or `unknown` when the request's variables are not at hand. */
export type CostVariables = Readonly<Record<string, unknown>> | 'unknown';

export function compileCostPlan(schema: GraphQLSchema, document: DocumentNode): CostPlan {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);

  let dependsOnVariables = false;
  const compiledFragments = new Map<string, CostNode>();

  const pageSizeOf = (field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined): PageSize | null => {
    // Only a field returning an object can be a page (graphql-armor's rule); `first` on a scalar is not.
    const argument = field.arguments?.find((candidate) => PAGE_SIZE_ARGUMENTS.has(candidate.name.value));
    const declared = definition?.args.some((candidate) => PAGE_SIZE_ARGUMENTS.has(candidate.name));
    if (!argument) return declared ? { kind: 'default' } : null;
    if (argument.value.kind === Kind.INT) return { kind: 'literal', value: Number.parseInt(argument.value.value, 10) };
    if (argument.value.kind === Kind.VARIABLE) {
      dependsOnVariables = true;
      return { kind: 'variable', name: argument.value.name.value };
    }
    return { kind: 'default' };
  };

  // Field definitions (for a page-size argument left out) are found from the parent type of each selection.
  const compileSelections = (selectionSet: SelectionSetNode, parentTypeName: string | null): CostNode[] => {
    const parent = parentTypeName ? schema.getType(parentTypeName) : null;
    const fieldsOfParent = parent && 'getFields' in parent ? (parent.getFields() as Record<string, GraphQLField<unknown, unknown>>) : {};
    return selectionSet.selections.map((selection): CostNode => {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__schema') return { base: 0, statement: 0, pageSize: null, children: [] };
        if (!selection.selectionSet) return { base: SCALAR_COST, statement: 0, pageSize: null, children: [] };
        const definition = fieldsOfParent[selection.name.value];
        const childType = definition ? getNamedType(definition.type).name : null;
        const base = FIELD_COSTS[`${parentTypeName}.${selection.name.value}`] ?? OBJECT_COST;
        const pageSize = pageSizeOf(selection, definition);
        return { base, statement: pageSize ? PAGE_STATEMENT_COST : 0, pageSize, children: compileSelections(selection.selectionSet, childType) };
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        return {
          base: OBJECT_COST,
          statement: 0,
          pageSize: null,
          children: compileSelections(selection.selectionSet, selection.typeCondition?.name.value ?? parentTypeName),
        };
      }
      return { base: SCALAR_COST, statement: 0, pageSize: null, children: [compileFragment(selection.name.value)] };
    });
  };

  const compileFragment = (name: string): CostNode => {
    const known = compiledFragments.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // Validation has refused unknown and cyclic fragments before this runs; a placeholder guards the walk.
    const node: CostNode = { base: OBJECT_COST, statement: 0, pageSize: null, children: [] };
    compiledFragments.set(name, node);
    if (fragment) node.children = compileSelections(fragment.selectionSet, fragment.typeCondition.name.value);
    return node;
  };

  const rootTypeName = (operation: OperationDefinitionNode) => schema.getRootType(operation.operation)?.name ?? null;
  const plans = new Map<string | null, CostNode[]>(
    operations.map((operation) => [operation.name?.value ?? null, compileSelections(operation.selectionSet, rootTypeName(operation))]),
  );

  return {
    dependsOnVariables,
    costOf(operationName, variables) {
      const roots = operationName != null ? plans.get(operationName) : plans.size === 1 ? [...plans.values()][0] : undefined;
      if (!roots) return Math.max(0, ...[...plans.values()].map((nodes) => evaluate(nodes, variables)));
      return evaluate(roots, variables);
    },
  };
}

/** Shared fragments are evaluated once per call: their cost depends on the variables only. */
function evaluate(roots: CostNode[], variables: CostVariables): number {
  const memo = new Map<CostNode, number>();
  const costOf = (node: CostNode): number => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    let cost = node.base;
    for (const child of node.children) cost += DEPTH_COST_FACTOR * costOf(child);
    if (node.pageSize) cost *= pageSizeValue(node.pageSize, variables);
    cost += node.statement;
    memo.set(node, cost);
    return cost;
  };
  return Math.ceil(roots.reduce((total, node) => total + costOf(node), 0));
}

/** A page counts at least 1 and at most the largest page any list serves (larger ones are refused). */
function pageSizeValue(pageSize: PageSize, variables: CostVariables): number {
  const clamp = (value: number) => Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(value)));
  switch (pageSize.kind) {
    case 'literal':
      return clamp(pageSize.value);
    case 'default':
      return DEFAULT_PAGE_SIZE;
    case 'variable': {
      if (variables === 'unknown') return MAX_PAGE_SIZE;
      const value = variables[pageSize.name];
      if (value === undefined || value === null) return DEFAULT_PAGE_SIZE;
      return typeof value === 'number' && Number.isFinite(value) ? clamp(value) : MAX_PAGE_SIZE;
    }
  }
}
