import fs from 'node:fs';
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { DemandCategory, HelpKind, LABELS_ZH, TargetGroup } from '@wanjia/shared';
import DemandsRaisedField from '@/pages/record/fields/demands-raised-field';
import KindsField from '@/pages/record/fields/kinds-field';
import { DEMAND_CATEGORY_OPTIONS, HELP_KIND_OPTIONS, TARGET_GROUP_OPTIONS, type EnumOption } from '@/services/enum-options';

/**
 * The choices the record form and the households filter offer are the enums themselves: a help kind,
 * demand category or target group added to @wanjia/shared (and to the API) cannot silently miss them.
 */
const schema = fs.readFileSync(path.resolve(__dirname, '../../shared/schema.graphql'), 'utf8');

function schemaEnum(name: string): string[] {
  const body = new RegExp(`^enum ${name} \\{([^}]*)\\}`, 'm').exec(schema)?.[1];
  if (!body) throw new Error(`enum ${name} is not in shared/schema.graphql`);
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[A-Z_]+$/.test(line));
}

const cases: [string, readonly EnumOption<string>[], Record<string, string>, Record<string, string>][] = [
  ['HelpKind', HELP_KIND_OPTIONS, HelpKind, LABELS_ZH.HelpKind],
  ['DemandCategory', DEMAND_CATEGORY_OPTIONS, DemandCategory, LABELS_ZH.DemandCategory],
  ['TargetGroup', TARGET_GROUP_OPTIONS, TargetGroup, LABELS_ZH.TargetGroup],
];

describe.each(cases)('the %s choices', (name, options, values, labels) => {
  it("offer every value of shared's enum once, in its order", () => {
    expect(options.map((option) => option.value)).toEqual(Object.values(values));
  });

  it('offer every value the API accepts', () => {
    expect(options.map((option) => option.value).sort()).toEqual(schemaEnum(name).sort());
  });

  it("label each value with shared's Chinese label", () => {
    for (const option of options) {
      expect(option.label).toBe(labels[option.value]);
      expect(option.label).toMatch(/^[\u4e00-\u9fff]+$/);
    }
  });
});

describe('the record form', () => {
  const texts = (markup: string, pattern: RegExp) => [...markup.matchAll(pattern)].map((match) => match[1]);

  it('offers a chip for every help kind', () => {
    const markup = renderToStaticMarkup(createElement(KindsField, { kinds: ['VISIT'], error: undefined, onToggle: () => undefined }));
    expect(texts(markup, /<span class="chip[^"]*">([^<]*)<\/span>/g)).toEqual(Object.values(HelpKind).map((kind) => LABELS_ZH.HelpKind[kind]));
  });

  it("offers every demand category in a raised demand's picker", () => {
    const markup = renderToStaticMarkup(
      createElement(DemandsRaisedField, {
        demands: [{ category: 'MEDICAL', text: '希望协调住院报销' }],
        errors: {},
        onAdd: () => undefined,
        onUpdate: () => undefined,
        onRemove: () => undefined,
      }),
    );
    expect(texts(markup, /<option>([^<]*)<\/option>/g)).toEqual(Object.values(DemandCategory).map((category) => LABELS_ZH.DemandCategory[category]));
  });
});
