import { ImportKind } from '@wanjia/shared';
import type { ImportKindDefinition } from '../import-kind';
import { assignmentsKind } from './assignments.kind';
import { cadresKind } from './cadres.kind';
import { householdsKind } from './households.kind';
import { petitionCasesKind } from './petition-cases.kind';
import { unitPairingsKind } from './unit-pairings.kind';

/** What a kind may need from the configuration and the clock. */
export interface ImportKindSettings {
  /** Cross-district duplicate findings one account may be told in any 24 hours (IMPORT_ELSEWHERE_PER_DAY). */
  elsewherePerDay: number;
  now: () => Date;
}

/**
 * Composition file: the import kinds by ImportKind (issue 16). A kind missing here is refused at upload
 * ("这类导入尚未开放"). Each definition's values type is its own; the engine only moves them through JSON.
 */
export function importKinds(settings: ImportKindSettings): Partial<Record<ImportKind, ImportKindDefinition<unknown>>> {
  return {
    [ImportKind.HOUSEHOLDS]: householdsKind(settings) as ImportKindDefinition<unknown>,
    [ImportKind.PETITION_CASES]: petitionCasesKind as ImportKindDefinition<unknown>,
    [ImportKind.CADRES]: cadresKind as ImportKindDefinition<unknown>,
    [ImportKind.UNIT_PAIRINGS]: unitPairingsKind as ImportKindDefinition<unknown>,
    [ImportKind.ASSIGNMENTS]: assignmentsKind as ImportKindDefinition<unknown>,
  };
}
