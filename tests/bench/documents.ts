import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The mini-program's own documents, as its codegen persisted them (shared/persisted-operations.json):
 * the benchmark sends what a phone sends — the operation's sha256 only, with its variables — so that
 * both servers do the lookup, the parse (cached) and the validation a phone's request costs, and the
 * real server runs with its safelist enforced, as in production.
 */

export const PERSISTED_OPERATIONS_FILE = path.resolve(__dirname, '..', '..', 'shared', 'persisted-operations.json');

export type OperationName = 'MyHouseholds' | 'HouseholdFile' | 'MyStats' | 'SubmitHelpRecord';
const OPERATION_NAMES: readonly OperationName[] = ['MyHouseholds', 'HouseholdFile', 'MyStats', 'SubmitHelpRecord'];

export interface PersistedOperation {
  name: OperationName;
  hash: string;
  document: string;
}

/** Every persisted document by its hash (what a server answers hash-only requests from). */
export function loadPersistedDocuments(file: string = PERSISTED_OPERATIONS_FILE): Map<string, string> {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  return new Map(Object.entries(parsed));
}

function findOperations(): Record<OperationName, PersistedOperation> {
  const found: Partial<Record<OperationName, PersistedOperation>> = {};
  for (const [hash, document] of loadPersistedDocuments()) {
    const match = /(?:^|[\s}])(?:query|mutation)\s+(\w+)/.exec(document);
    const name = match?.[1] as OperationName | undefined;
    if (name && OPERATION_NAMES.includes(name)) {
      // The file's keys are the documents' sha256 (Apollo's persisted-query hash): a stale file would mislead.
      if (createHash('sha256').update(document).digest('hex') !== hash)
        throw new Error(`${PERSISTED_OPERATIONS_FILE}: ${name}'s hash is not its document's sha256`);
      found[name] = { name, hash, document };
    }
  }
  for (const name of OPERATION_NAMES) {
    if (!found[name]) throw new Error(`${PERSISTED_OPERATIONS_FILE}: no ${name} operation (the mini-program's codegen writes it)`);
  }
  return found as Record<OperationName, PersistedOperation>;
}

export const OPERATIONS = findOperations();

/** A hash-only request, as the mini-program's api.ts sends a persisted operation. */
export function persistedBody(name: OperationName, variables: Record<string, unknown>): string {
  return JSON.stringify({
    operationName: name,
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: OPERATIONS[name].hash } },
  });
}

/** The mini-program's page sizes (miniprogram/src/services/households.ts and records.ts). */
export const LIST_PAGE_SIZE = 20;
export const RECORDS_PAGE_SIZE = 10;
