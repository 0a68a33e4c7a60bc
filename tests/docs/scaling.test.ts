import fs from 'node:fs';
import path from 'node:path';
import { MIX, measuredTables, modelTable, VISIT_INTERVAL_DAYS, type MeasuredFigures } from '../scripts/capacity-model';
import { REPOSITORY_ROOT } from './doc-references';

/**
 * docs/scaling.md's figures are the last run of tests/scripts/capacity-figures.ts (its output,
 * capacity-figures.json, is committed beside it): the page must show that run's tables as the model
 * computes them, so a new measurement or a changed model that is not carried into the page fails here.
 */

const read = (file: string) => fs.readFileSync(path.join(REPOSITORY_ROOT, file), 'utf8');
const page = read('docs/scaling.md');
const figures = JSON.parse(read('tests/scripts/capacity-figures.json')) as MeasuredFigures;

describe('docs/scaling.md', () => {
  it('names the command that measured its figures, and that script exists', () => {
    expect(page).toContain(figures.command);
    expect(fs.existsSync(path.join(REPOSITORY_ROOT, 'tests/scripts/capacity-figures.ts'))).toBe(true);
    expect(page).toContain(figures.measuredAt.slice(0, 10));
  });

  it('shows the measured tables of the last run', () => {
    const tables = measuredTables(figures);
    expect(page).toContain(tables.operations);
    expect(page).toContain(tables.tables);
    expect(page).toContain(tables.record);
    expect(page).toContain(tables.photo);
  });

  it('shows the model as computed from those figures', () => {
    expect(page).toContain(modelTable(figures));
  });

  it('measured the full bench data set, and every operation of the mix', () => {
    expect(figures.dataSet.households).toBe(50_000);
    expect(figures.dataSet.helpRecords).toBeGreaterThanOrEqual(500_000);
    for (const operation of Object.values(figures.operations)) {
      expect(operation.requests).toBeGreaterThan(0);
      expect(operation.statements).toBeGreaterThan(0);
    }
  });

  it("the model's mix is the soak's (tests/soak/soak.ts MIX)", () => {
    const soak = read('tests/soak/soak.ts');
    const names: Record<string, string> = { submit: 'submitHelpRecord', correct: 'correctHelpRecord' };
    const entries = [...soak.matchAll(/\[(\d+), '(\w+)'\]/g)].map(([, share, name]) => [names[name!] ?? name!, Number(share)]);
    expect(Object.fromEntries(entries)).toEqual(MIX);
  });

  it("the model's visit intervals are the server's defaults (server/src/config.ts VISIT_INTERVAL_DAYS_*)", () => {
    const config = read('server/src/config.ts');
    const defaultOf = (name: string) => Number(new RegExp(`${name}:[^\\n]*\\.default\\((\\d+)\\)`).exec(config)?.[1]);
    expect({
      hardship: defaultOf('VISIT_INTERVAL_DAYS_HARDSHIP'),
      keyFocus: defaultOf('VISIT_INTERVAL_DAYS_KEY_FOCUS'),
      petitioner: defaultOf('VISIT_INTERVAL_DAYS_PETITIONER'),
    }).toEqual(VISIT_INTERVAL_DAYS);
  });
});
