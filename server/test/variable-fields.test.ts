import { parse } from 'graphql';
import { variableErrorField, variableUsagePaths } from '../src/graphql/variable-fields.plugin';

describe('naming the field of a wrongly typed variable', () => {
  const document = parse(`
    mutation ($s: LocalDate!, $i: CreateAccountInput!, $n: String) {
      createRound(input: { name: $n, startsOn: $s, endsOn: "2030-01-01" }) { id }
      createAccount(input: $i) { id }
    }
  `);
  const usage = variableUsagePaths(document);

  it('maps each variable to the argument path it is used at, not its definition', () => {
    expect(Object.fromEntries(usage)).toEqual({ n: 'input.name', s: 'input.startsOn', i: 'input' });
  });

  it('names the argument path for a scalar variable', () => {
    const message = 'Variable "$s" got invalid value "2027-02-30"; Expected type "LocalDate". Invalid date';
    expect(variableErrorField(message, usage)).toBe('input.startsOn');
  });

  it('adds the path inside an input variable, even when the value itself holds "; "', () => {
    const message = 'Variable "$i" got invalid value "ADMIN; DROP TABLE" at "i.role"; Value "ADMIN; DROP TABLE" does not exist in "Role" enum.';
    expect(variableErrorField(message, usage)).toBe('input.role');
  });

  it('is not fooled by a path-like text inside the printed value', () => {
    const message = 'Variable "$i" got invalid value { username: "x at \\"i.password\\"; " } at "i.role"; Expected type "Role".';
    expect(variableErrorField(message, usage)).toBe('input.role');
  });

  it('names a required variable that was not provided, and leaves other errors alone', () => {
    expect(variableErrorField('Variable "$s" of required type "LocalDate!" was not provided.', usage)).toBe('input.startsOn');
    expect(variableErrorField('Cannot query field "x" on type "Query".', usage)).toBeNull();
  });
});
