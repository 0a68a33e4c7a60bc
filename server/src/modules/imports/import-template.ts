import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ImportKindDefinition } from './import-kind';

/** exceljs's worksheet-wide validations (typed in its sources, not in its .d.ts). */
interface SheetValidations {
  add(address: string, validation: ExcelJS.DataValidation): void;
}

/** How far down the template's drop-downs and text format reach. */
const TEMPLATE_ROWS = 5000;

/**
 * A kind's template: Chinese headers with a note each (required or not, the format), one example row,
 * drop-down lists for enumerated columns (from a hidden 选项 sheet, so that long lists fit), text format
 * for ID numbers and phones (a spreadsheet keeps all 18 digits and leading zeros), the header row frozen.
 */
export async function writeTemplate(definition: ImportKindDefinition<unknown>, output: Writable): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Wanjia';
  const sheet = workbook.addWorksheet(definition.title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  const lists = workbook.addWorksheet('选项', { state: 'veryHidden' });
  sheet.columns = definition.columns.map((column) => ({
    header: column.header,
    key: column.key,
    width: Math.max(12, column.header.length * 2 + 4, column.example.length + 4),
    style: column.text ? { numFmt: '@' } : {},
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  definition.columns.forEach((column, index) => {
    const cell = header.getCell(index + 1);
    cell.note = `${column.required ? '必填' : '选填'}${column.hint ? `：${column.hint}` : ''}`;
    if (column.required) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
  });
  sheet.addRow(Object.fromEntries(definition.columns.map((column) => [column.key, column.example])));
  const validations = (sheet as unknown as { dataValidations: SheetValidations }).dataValidations;
  let listColumn = 0;
  definition.columns.forEach((column, index) => {
    if (!column.choices?.length) return;
    listColumn += 1;
    const letter = sheet.getColumn(index + 1).letter;
    const listLetter = lists.getColumn(listColumn).letter;
    column.choices.forEach((choice, row) => (lists.getCell(`${listLetter}${row + 1}`).value = choice));
    validations.add(`${letter}2:${letter}${TEMPLATE_ROWS}`, {
      type: 'list',
      allowBlank: !column.required,
      formulae: [`选项!$${listLetter}$1:$${listLetter}$${column.choices.length}`],
      // A warning, not a stop: some columns take several values separated by 、.
      showErrorMessage: true,
      errorStyle: 'warning',
      errorTitle: column.header,
      error: `请从列表中选择${column.hint?.includes('多个') ? '（可填多个，用顿号分隔）' : ''}`,
    });
  });
  await workbook.xlsx.write(output);
}
