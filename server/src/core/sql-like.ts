/** Escapes LIKE's wildcards (and its escape character) so that user text matches only itself. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** `LIKE` pattern for "contains this text" (a search box). */
export function likeContaining(text: string): string {
  return `%${escapeLike(text)}%`;
}

/** `LIKE` pattern for "starts with this" (a subtree under a materialized path, a name prefix). */
export function likeStartingWith(prefix: string): string {
  return `${escapeLike(prefix)}%`;
}
