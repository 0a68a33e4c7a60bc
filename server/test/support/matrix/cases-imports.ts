import type { Entry } from './cases';

/**
 * The authorization matrix's entries for issue 16's imports operations. A function, not constants: cases.ts
 * calls it while it builds QUERIES and MUTATIONS, after its own helpers (forbidden, empty…) exist.
 */
export function importsCases(): { queries: Record<string, Entry>; mutations: Record<string, Entry> } {
  return { queries: {}, mutations: {} };
}
