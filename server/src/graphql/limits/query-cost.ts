import {
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { RECENT_CLOSED_DEMANDS } from '../../modules/demands/demand.loaders';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../core/pagination';

/**
 * graphql-armor's cost (objects 2, scalars 1, children ×1.5 per level, a page × its size, any other
 * list × its size estimate, LIST_SIZE_ESTIMATES) plus a database statement's worth for each page and
 * each resolver that reads once per parent (PAGE_STATEMENT_COST, PER_PARENT_STATEMENTS), compiled
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
  // The demand loop's figures (issue 15): three statements over the slice's demands per run (one run,
  // or one per target group or round), like a figure sheet. (referralFiguresByUnit is a page, whose base
  // its page size multiplies: it is priced as a page, by its two statements' PAGE_STATEMENT_COST.)
  'Query.demandLoopFigures': 4_000,
};

/**
 * A page is one database statement whatever its size, and a page nested under a list is counted as one
 * statement per parent (households' first pages of help records are batched since the caseload refresh,
 * my-work/household-record-pages.loader.ts, so this over-prices them: the price errs high). On
 * the demo data (SQLite, on the event loop) each nested page took 4-7 ms: 100 households × 9 records
 * each (cost 24,500 by shape) held /healthz 0.6-0.8 s. At 300 a page, 25,000 allows about 37 nested pages
 * (≈ 0.25 s) and any number of items in a few pages.
 */
export const PAGE_STATEMENT_COST = 300;

/**
 * How many items a list without paging returns at most, realistically, for each list field of the
 * schema (a connection's `nodes` are its page, and a list of enum values holds each value at most once:
 * both are derived, not listed). graphql-armor counted every list as one item: from the analyst's city
 * scope `regions { children { parent { children … ×7 } } }` was priced 2,332 and returned 27 MB (6⁷
 * regions on the demo tree). Each entry says where its figure comes from; measured maxima on the demo
 * data set in brackets. request-limits-lists.test.ts fails when a list field of the schema has none.
 */
export const LIST_SIZE_ESTIMATES: Readonly<Record<string, number>> = {
  // The full city plan (seed/city) puts 287 villages under 8 towns and 209 communities under 10 streets
  // (twice) and the towns: the largest child count is 43, a town's 36 villages and 7 communities [6].
  'Region.children': 45,
  // The children of a region (parentId); without parentId, the caller's scope root alone (LIST_SIZE_WITHOUT_ARGUMENT).
  'Query.regions': 45,
  // The household form accepts at most 30 residents (HouseholdInput.residents, ArrayMaxSize 30) [5].
  'Household.residents': 30,
  // A visit raises a few demands; open ones are worked off within weeks [2].
  'Household.openDemands': 20,
  // The resolver returns the last RECENT_CLOSED_DEMANDS.
  'Household.recentClosedDemands': RECENT_CLOSED_DEMANDS,
  // At most the open demands a record resolved and the household has not answered yet (as openDemands).
  'Household.demandsAwaitingConfirmation': 20,
  // One petition case per petitioner household in the city plan [1].
  'Household.petitionCases': 5,
  // One assignment per round and transfer: two rounds, transfers 1 % [3].
  'Household.assignmentHistory': 10,
  // Normally one [1].
  'Household.activeAssignments': 2,
  // What one visit raised and resolved: a handful (the form accepts 20 and 50, which a cadre would have
  // to write on purpose, visit after visit, within the write budget) [2, 2].
  'HelpRecord.demandsRaised': 3,
  'HelpRecord.demandsResolved': 3,
  // Corrections are rare: a record corrected more than twice is an exception.
  'HelpRecord.earlierVersions': 3,
  // A demand's steps: raised, resolved, answered; a reopened one adds reopened, resolved, answered.
  'Demand.events': 6,
  // HelpRecordContentInput.photoIds: ArrayMaxSize 9.
  'HelpRecord.photoIds': 9,
  // 八个一: eight kinds of contact points [8].
  'Query.contactPointKinds': 8,
  // Two rounds so far; room for more [2].
  'Query.rounds': 10,
  // The development sign-in lists 20 cadres (auth.service.ts, limit 20).
  'Query.developmentCadres': 20,
  // One figure per measure on the sheet (MEASURES in analytics.measures.ts: 30); a figure sheet's work is
  // priced by FIELD_COSTS.
  'CampaignOverview.figures': 30,
  'BreakdownGroup.figures': 30,
  // One group per child region, month of a round, round, target group or unit of the slice: a dozen or two.
  'CampaignBreakdown.groups': 24,
  // Workload buckets by households per cadre, and the demand age bands: a handful.
  'CadreWorkload.distribution': 10,
  'DemandAging.bands': 6,
  // Regions of the slice with households and no recent visit: one level of children.
  'CoverageGaps.regions': 40,
  // The demand loop's figures (analytics/demand-loop.*): groups as a breakdown's, the 14 DemandLoopMeasure
  // figures each, and one entry per rung of the ladder (4 rows of escalation_rung).
  'DemandLoopFigures.groups': 24,
  'DemandLoopGroup.figures': 14,
  'DemandLoopGroup.escalations': 4,
  // The demand loop (demands/demand-loop.*): the units in reach of a household (the city's bureaus, its
  // district's, its township's: a few dozen with a handler), a unit's handlers (one or two, a few over the
  // years), a demand's referrals (one, a return and a second unit at most as a rule), the units a cadre handles.
  'Query.referralTargets': 40,
  'Query.unitHandlers': 5,
  'Demand.referrals': 3,
  'MyLoopSummary.handlerUnits': 2,
  // One row per demand category (DemandCategory has 9 values) and per rung of the ladder (4, seeded).
  'Query.demandDeadlines': 9,
  'Query.escalationRungs': 4,
  // A city-level leader keeps eight contact points (八个一) and leads a few cases (包案) [0 on the demo].
  'MyContactPoints.points': 8,
  'MyContactPoints.cases': 10,
  // The service lists at most LEADER_ESCALATIONS_SHOWN (20) escalations per point or case.
  'LeaderContactPoint.escalations': 20,
  'LeaderCase.escalations': 20,
  // A case's household's open demands: like Household.openDemands.
  'LeaderCase.openDemands': 20,
  // The import kinds (ImportKind has 5 values), a template's columns (households: 15), a column's aliases and choices (lists of labels: 8 at most).
  'Query.importTemplates': 5,
  'ImportTemplate.columns': 16,
  'ImportTemplateColumn.aliases': 8,
  'ImportTemplateColumn.choices': 10,
  // A bulk run's skips by reason: BulkRunSkipReason's 13 values, by the plan and by the run.
  'BulkRun.skippedByReason': 26,
};

/**
 * Lists that nest in themselves and whose items, however deep the nesting, come from one bounded set:
 * a chain of `children` cannot return more regions than the tree holds. Along a path the product of
 * such lists' sizes is capped at the set's size, so that an administrator's three levels of the tree
 * (city → districts → streets → villages, 521 regions in the full city plan) are priced as the few
 * hundred regions they are, not as 45³. A fragment starts a new chain (priced higher, never lower).
 */
export const NESTED_LIST_TOTALS: Readonly<Record<string, { family: string; total: number }>> = {
  // seed/city's full plan: 1 city, 6 districts and counties, 18 streets and towns, 496 villages and communities.
  'Region.children': { family: 'region', total: 600 },
  'Query.regions': { family: 'region', total: 600 },
};

/** Lists whose size is another when an argument is left out: `regions` without parentId is the scope root. */
export const LIST_SIZE_WITHOUT_ARGUMENT: Readonly<Record<string, { argument: string; items: number }>> = {
  'Query.regions': { argument: 'parentId', items: 1 },
};

/**
 * Resolvers that run their own statement for each parent object (not batched through a DataLoader),
 * with the statements each runs: counted PAGE_STATEMENT_COST apiece, once per parent. Pages are counted
 * as statements already. Empty since Household.recentClosedDemands is batched (demand.loaders.ts); a
 * test reads every field resolver's source and fails when one reads the database without a loader
 * and is neither here nor in READS_WITHOUT_LOADER_ALLOWED.
 */
export const PER_PARENT_STATEMENTS: Readonly<Record<string, number>> = {};

/** Field resolvers that read the database without a loader and are not per-parent statements, and why. */
export const READS_WITHOUT_LOADER_ALLOWED: Readonly<Record<string, string>> = {
  'Household.helpRecords':
    "a page: counted as a statement per parent already (PAGE_STATEMENT_COST); first pages go through helpRecordPagesByHousehold (my-work), a later page is one household's",
  'ContactPoint.kind': 'a lookup by primary key of eight rows: the request identity map answers after the first read of each',
  'DataImport.problems': "a page: counted as a statement per parent already (PAGE_STATEMENT_COST); one import's problems by the (import, row, id) index",
  'BulkRun.items': "a page: counted as a statement per parent already (PAGE_STATEMENT_COST); one run's items by the (run, outcome, id) index",
};

/**
 * Parent↔children round trips along one path: a list field followed straight away by the field that
 * leads back to its owner, or the way round (`children { parent { children … } } }`, siblings of
 * siblings). Each turn multiplies what a request reads without going deeper in the tree than depth
 * allows, so a path may turn back once (a region's siblings, a demand's household) and no more.
 */
export const INVERSE_FIELDS: Readonly<Record<string, string>> = {
  'Region.children': 'Region.parent',
  'Household.openDemands': 'Demand.household',
  'Household.recentClosedDemands': 'Demand.household',
  'Household.petitionCases': 'PetitionCase.household',
  'Household.activeAssignments': 'Assignment.household',
  'Household.assignmentHistory': 'Assignment.household',
  'Demand.referrals': 'DemandReferral.demand',
};

export const MAX_ROUND_TRIPS = 1;

/**
 * Fields that answer the object a root query answers, through the same loader and the same object scope
 * guard: `MyHousehold.file` is `household(id)`'s Household. Each is priced as that root is, once per
 * parent: its subtree costs what it costs under the root, without the ×1.5 a level of the fields above it.
 * So the caseload refresh, `myHouseholds(first: 100) { nodes { file { …the household screen… } } }`, costs
 * what the 100 household(id) requests it replaces cost, plus its list fields; a file spread in a fragment
 * is priced as before (higher, never lower).
 */
export const REROOTED_FIELDS: Readonly<Record<string, string>> = {
  'MyHousehold.file': 'Query.household',
  // A bulk run's item's household: householdById and the object scope guard, as household(id).
  'BulkRunItem.household': 'Query.household',
};

/** Each pair both ways: `a → b` and `b → a` are both a turn back. */
const TURNS_BACK: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const turns = new Map<string, Set<string>>();
  const add = (from: string, to: string) => turns.set(from, (turns.get(from) ?? new Set()).add(to));
  for (const [list, back] of Object.entries(INVERSE_FIELDS)) {
    add(list, back);
    add(back, list);
  }
  return turns;
})();

/**
 * The size estimate of a list field, null when it is no list (or its size is its page's); undefined
 * when a list has no estimate (the test of every list field finds these; cost counts them as the
 * largest page meanwhile).
 */
export function listSizeEstimate(schema: GraphQLSchema, parentTypeName: string, definition: GraphQLField<unknown, unknown>): number | null | undefined {
  if (!isListType(getNullableType(definition.type))) return null;
  if (definition.name === 'nodes' && isConnectionType(schema, parentTypeName)) return null;
  const named = getNamedType(definition.type);
  if (isEnumType(named)) return named.getValues().length;
  return LIST_SIZE_ESTIMATES[`${parentTypeName}.${definition.name}`];
}

/** A connection is what a paged field (one with `first` or `last`) returns: its `nodes` are the page. */
const connectionTypesOf = new WeakMap<GraphQLSchema, ReadonlySet<string>>();
function isConnectionType(schema: GraphQLSchema, typeName: string): boolean {
  let connections = connectionTypesOf.get(schema);
  if (!connections) {
    const found = new Set<string>();
    for (const type of Object.values(schema.getTypeMap())) {
      if (!('getFields' in type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields() as Record<string, GraphQLField<unknown, unknown>>)) {
        if (field.args?.some((argument) => PAGE_SIZE_ARGUMENTS.has(argument.name))) found.add(getNamedType(field.type).name);
      }
    }
    connections = found;
    connectionTypesOf.set(schema, connections);
  }
  return connections.has(typeName);
}

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
  /** A list without paging: its size estimate multiplies the node like a page's size. */
  listSize: number;
  /** Each child counts DEPTH_COST_FACTOR × its cost (a fragment spread: 1 + 1.5 × its fragment). */
  children: CostNode[];
  /** REROOTED_FIELDS: the DEPTH_COST_FACTOR the fields above apply to it, which its cost is divided by. */
  rerootDivisor?: number;
}

export interface CostPlan {
  /** The cost of one operation of the document (by name; null for the only one) with these variables. */
  costOf(operationName: string | null | undefined, variables: CostVariables): number;
  /** Whether any page size in the document depends on a variable. */
  readonly dependsOnVariables: boolean;
  /** The most parent↔children round trips along any path of the document (INVERSE_FIELDS). */
  readonly roundTrips: number;
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

  // Field definitions (for a page-size argument left out, and list sizes) are found from the parent type of each selection.
  // `levels`: how many ×DEPTH_COST_FACTOR the fields above these selections apply (null inside a fragment,
  // which is compiled once for every place it is spread).
  const compileSelections = (
    selectionSet: SelectionSetNode,
    parentTypeName: string | null,
    chains: Readonly<Record<string, number>> = {},
    levels: number | null = null,
  ): CostNode[] => {
    const below = levels === null ? null : levels + 1;
    const fieldsOfParent = fieldsOf(schema, parentTypeName);
    return selectionSet.selections.map((selection): CostNode => {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__schema') return leaf(0);
        const definition = fieldsOfParent[selection.name.value];
        const key = `${parentTypeName}.${selection.name.value}`;
        const pageSize = pageSizeOf(selection, definition);
        // A list counts its estimate; one without an estimate (a field added since, caught by its test) the largest page.
        const estimate = pageSize || !definition || !parentTypeName ? null : listSizeEstimate(schema, parentTypeName, definition);
        const withoutArgument = LIST_SIZE_WITHOUT_ARGUMENT[key];
        const argumentLeftOut = withoutArgument && !selection.arguments?.some((argument) => argument.name.value === withoutArgument.argument);
        const estimated = argumentLeftOut ? withoutArgument.items : estimate === undefined ? MAX_PAGE_SIZE : (estimate ?? 1);
        const nested = NESTED_LIST_TOTALS[key];
        const chain = nested ? (chains[nested.family] ?? 1) : 1;
        const listSize = nested ? Math.max(1, Math.min(estimated, nested.total / chain)) : estimated;
        const statement = (pageSize ? PAGE_STATEMENT_COST : 0) + (PER_PARENT_STATEMENTS[key] ?? 0) * PAGE_STATEMENT_COST;
        if (!selection.selectionSet) return { base: SCALAR_COST, statement, pageSize: null, listSize, children: [] };
        const childType = definition ? getNamedType(definition.type).name : null;
        const base = FIELD_COSTS[key] ?? OBJECT_COST;
        // The chain goes on through a nested list of the same set; any other field starts afresh.
        const childChains = nested ? { [nested.family]: chain * listSize } : {};
        const rerootDivisor = REROOTED_FIELDS[key] && levels !== null ? DEPTH_COST_FACTOR ** levels : undefined;
        const children = compileSelections(selection.selectionSet, childType, childChains, rerootDivisor ? null : below);
        return { base, statement, pageSize, listSize, children, ...(rerootDivisor ? { rerootDivisor } : {}) };
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        return {
          ...leaf(OBJECT_COST),
          children: compileSelections(selection.selectionSet, selection.typeCondition?.name.value ?? parentTypeName, chains, below),
        };
      }
      return { ...leaf(SCALAR_COST), children: [compileFragment(selection.name.value)] };
    });
  };

  const compileFragment = (name: string): CostNode => {
    const known = compiledFragments.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // Validation has refused unknown and cyclic fragments before this runs; a placeholder guards the walk.
    const node: CostNode = leaf(OBJECT_COST);
    compiledFragments.set(name, node);
    if (fragment) node.children = compileSelections(fragment.selectionSet, fragment.typeCondition.name.value);
    return node;
  };

  /**
   * The most turns back along any path below a selection set, given the edge (`Type.field`) that led
   * to it; fragments and inline fragments are transparent, and so is a connection's `nodes`. Memoised
   * per fragment and incoming edge, so that fragments spread many times are walked once each.
   */
  const turnsMemo = new Map<string, number>();
  const visiting = new Set<string>();
  const roundTripsBelow = (selectionSet: SelectionSetNode, parentTypeName: string | null, incoming: string | null): number => {
    const fieldsOfParent = fieldsOf(schema, parentTypeName);
    let most = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.selectionSet) continue;
        const definition = fieldsOfParent[selection.name.value];
        if (!definition || !parentTypeName) continue;
        const key = `${parentTypeName}.${selection.name.value}`;
        const childType = getNamedType(definition.type).name;
        // A connection's nodes continue the edge that led to the connection.
        const transparent = selection.name.value === 'nodes' && isConnectionType(schema, parentTypeName);
        const edge = transparent ? incoming : key;
        const turn = !transparent && incoming !== null && TURNS_BACK.get(incoming)?.has(key) ? 1 : 0;
        most = Math.max(most, turn + roundTripsBelow(selection.selectionSet, childType, edge));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        most = Math.max(most, roundTripsBelow(selection.selectionSet, selection.typeCondition?.name.value ?? parentTypeName, incoming));
      } else {
        const memoKey = `${selection.name.value}|${incoming ?? ''}`;
        const known = turnsMemo.get(memoKey);
        if (known !== undefined) {
          most = Math.max(most, known);
          continue;
        }
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visiting.has(memoKey)) continue;
        visiting.add(memoKey);
        const below = roundTripsBelow(fragment.selectionSet, fragment.typeCondition.name.value, incoming);
        visiting.delete(memoKey);
        turnsMemo.set(memoKey, below);
        most = Math.max(most, below);
      }
    }
    return most;
  };

  const rootTypeName = (operation: OperationDefinitionNode) => schema.getRootType(operation.operation)?.name ?? null;
  const plans = new Map<string | null, CostNode[]>(
    operations.map((operation) => [operation.name?.value ?? null, compileSelections(operation.selectionSet, rootTypeName(operation), {}, 0)]),
  );

  const roundTrips = Math.max(0, ...operations.map((operation) => roundTripsBelow(operation.selectionSet, rootTypeName(operation), null)));

  return {
    dependsOnVariables,
    roundTrips,
    costOf(operationName, variables) {
      const roots = operationName != null ? plans.get(operationName) : plans.size === 1 ? [...plans.values()][0] : undefined;
      if (!roots) return Math.max(0, ...[...plans.values()].map((nodes) => evaluate(nodes, variables)));
      return evaluate(roots, variables);
    },
  };
}

function leaf(base: number): CostNode {
  return { base, statement: 0, pageSize: null, listSize: 1, children: [] };
}

function fieldsOf(schema: GraphQLSchema, typeName: string | null): Record<string, GraphQLField<unknown, unknown>> {
  const type = typeName ? schema.getType(typeName) : null;
  return type && 'getFields' in type ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>) : {};
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
    // A statement per parent is paid once for the whole list it returns.
    cost = cost * node.listSize + node.statement;
    if (node.rerootDivisor) cost /= node.rerootDivisor;
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
