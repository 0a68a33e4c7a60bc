/** A saved operation of the cookbook, as the IDE shows it. */
export interface CookbookRecipe {
  /** "中文 English". */
  name: string;
  /** One or two lines, Chinese first. */
  description: string;
  /** One named GraphQL operation. */
  query: string;
  /** Filled from the database within the caller's scope, so that the operation runs as it is. */
  variables: Record<string, unknown>;
}

/** A task, with the recipes that do it. */
export interface CookbookChapter {
  /** "中文 English". */
  title: string;
  recipes: CookbookRecipe[];
}

export function recipe(name: string, description: string, query: string, variables: Record<string, unknown> = {}): CookbookRecipe {
  return { name, description, query: query.trim(), variables };
}

/** Drops the recipes whose subject the database does not have (null), so that nothing is offered that cannot run. */
export function present(...recipes: (CookbookRecipe | null)[]): CookbookRecipe[] {
  return recipes.filter((item): item is CookbookRecipe => item !== null);
}
