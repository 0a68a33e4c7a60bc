import { HOUSEHOLD_REGION_LEVELS, LABELS_ZH, RegionLevel } from '@wanjia/shared';
import type { StaffActor } from '../../../core/caller';
import type { Em } from '../../../core/entity-manager';
import { Region } from '../../regions/region.entity';
import { comparable, tidy } from '../normalize';

/**
 * The village or community a cell names, as offices write it: the 12-digit division code, a name path
 * ("平山区/桥头镇/xx村", any of / ／ > separating), or a name alone when it is unique. Looked up for a whole
 * batch at once (one query for codes, one for names, one for the ancestors a path names), never per row.
 */
export type RegionResolution =
  | { found: true; region: { id: number; code: string; name: string; path: string; level: RegionLevel } }
  | { found: false; code: 'REGION_NOT_FOUND' | 'OUT_OF_SCOPE' | 'NOT_A_VILLAGE' | 'AMBIGUOUS'; message: string };

const CODE = /^\d{12}$/;

function segmentsOf(cell: string): string[] {
  return tidy(cell)
    .split(/\s*[/／>＞]\s*/)
    .map((segment) => segment.trim())
    .filter(Boolean);
}

interface Candidate {
  id: number;
  code: string;
  name: string;
  path: string;
  level: RegionLevel;
}

/**
 * Resolves each distinct cell to a village or community in the actor's scope. Divisions are public (GB/T
 * 2260), so a region outside the scope is named as such ("不在您管辖范围内") rather than as missing.
 * `levels`: which levels the cell may name (villages and communities by default).
 */
export async function resolveRegions(
  em: Em,
  actor: StaffActor,
  cells: Iterable<string>,
  levels: readonly RegionLevel[] = HOUSEHOLD_REGION_LEVELS,
): Promise<Map<string, RegionResolution>> {
  const distinct = [...new Set([...cells].map((cell) => tidy(cell)).filter(Boolean))];
  const answers = new Map<string, RegionResolution>();
  if (distinct.length === 0) return answers;
  const codes = distinct.filter((cell) => CODE.test(cell));
  const named = distinct.filter((cell) => !CODE.test(cell));
  const lastNames = [...new Set(named.map((cell) => segmentsOf(cell).at(-1)!).filter(Boolean))];
  const fields = ['id', 'code', 'name', 'path', 'level'] as const;
  const byCode = codes.length ? await em.find(Region, { code: { $in: codes } }, { fields: [...fields] }) : [];
  const byName = lastNames.length ? await em.find(Region, { name: { $in: lastNames } }, { fields: [...fields] }) : [];
  // The ancestors' names, for name paths: every code on the candidates' paths, in one query.
  const ancestorCodes = new Set<string>();
  for (const region of byName) for (const code of region.path.split('/').filter(Boolean)) ancestorCodes.add(code);
  const ancestors =
    named.some((cell) => segmentsOf(cell).length > 1) && ancestorCodes.size
      ? await em.find(Region, { code: { $in: [...ancestorCodes] } }, { fields: ['code', 'name'] })
      : [];
  const nameOfCode = new Map(ancestors.map((region) => [region.code, comparable(region.name)]));

  const levelLabel = (level: RegionLevel) => LABELS_ZH.RegionLevel[level];
  const wanted = levels.map(levelLabel).join('或');
  const judge = (candidate: Candidate, cell: string): RegionResolution => {
    if (!candidate.path.startsWith(actor.scopePath)) {
      return { found: false, code: 'OUT_OF_SCOPE', message: `“${cell}”不在您管辖范围内` };
    }
    if (!levels.includes(candidate.level)) {
      return { found: false, code: 'NOT_A_VILLAGE', message: `“${cell}”是${levelLabel(candidate.level)}，应填写到${wanted}` };
    }
    return { found: true, region: candidate };
  };

  for (const cell of codes) {
    const region = byCode.find((candidate) => candidate.code === cell);
    answers.set(cell, region ? judge(region, cell) : { found: false, code: 'REGION_NOT_FOUND', message: `没有代码为 ${cell} 的地区` });
  }
  for (const cell of named) {
    const segments = segmentsOf(cell).map(comparable);
    const last = segments.at(-1)!;
    const matching = byName.filter((region) => {
      if (comparable(region.name) !== last) return false;
      if (segments.length === 1) return true;
      // Every earlier segment names an ancestor of the region, in order (levels may be skipped).
      const names = region.path
        .split('/')
        .filter(Boolean)
        .slice(0, -1)
        .map((code) => nameOfCode.get(code) ?? '');
      let at = 0;
      for (const name of names) if (at < segments.length - 1 && name === segments[at]) at += 1;
      return at === segments.length - 1;
    });
    const usable = matching.filter((region) => levels.includes(region.level));
    const inScope = usable.filter((region) => region.path.startsWith(actor.scopePath));
    if (inScope.length === 1) answers.set(cell, { found: true, region: inScope[0]! });
    else if (inScope.length > 1) {
      answers.set(cell, { found: false, code: 'AMBIGUOUS', message: `有${inScope.length}个名为“${cell}”的${wanted}：请填写12位区划代码，或写成“区/镇/村”` });
    } else if (matching.length > 0) answers.set(cell, judge(usable[0] ?? matching[0]!, cell));
    else answers.set(cell, { found: false, code: 'REGION_NOT_FOUND', message: `没有名为“${cell}”的${wanted}` });
  }
  return answers;
}

/** The resolution of one cell from a batch's answers (the cell as given to resolveRegions). */
export function regionOf(answers: Map<string, RegionResolution>, cell: string): RegionResolution | undefined {
  return answers.get(tidy(cell));
}
