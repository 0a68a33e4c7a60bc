import { GraphQLError, parse, visit, type ASTNode } from 'graphql';
import { dottedIndexes, literalErrorField, variableErrorField, variableUsagePaths } from '../src/graphql/error-fields.plugin';

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

describe('naming the field of a wrong value written in the document itself', () => {
  const source = `mutation {
    createRound(input: { name: "x", startsOn: "2020-13-01" }) { id }
    createHousehold(input: { residents: [{ name: "a" }, { name: 5 }] }) { id }
  }`;
  const document = parse(source);
  const nodeAt = (text: string) => {
    const start = source.indexOf(text);
    let found: ASTNode | undefined;
    visit(document, {
      enter(node) {
        if (node.loc?.start === start && !found && node.kind !== 'Name') found = node;
      },
    });
    if (!found) throw new Error(`no node at ${text}`);
    return found;
  };
  const errorAt = (message: string, text: string) => new GraphQLError(message, { nodes: [nodeAt(text)] });

  it('names the argument path of a value of the wrong type, list positions included', () => {
    expect(literalErrorField(errorAt('Value is not a valid LocalDate: 2020-13-01', '"2020-13-01"'), document)).toBe('input.startsOn');
    expect(literalErrorField(errorAt('String cannot represent a non string value: 5', '5 }'), document)).toBe('input.residents.1.name');
  });

  it('names a required field missing from an input object, and a missing required argument', () => {
    const missing = errorAt('Field "CreateRoundInput.endsOn" of required type "LocalDate!" was not provided.', '{ name: "x"');
    expect(literalErrorField(missing, document)).toBe('input.endsOn');
    const argument = new GraphQLError('Field "household" argument "id" of type "ID!" is required, but it was not provided.');
    expect(literalErrorField(argument, document)).toBe('id');
  });

  it('leaves errors that are not about a value alone', () => {
    expect(literalErrorField(new GraphQLError('Cannot query field "x" on type "Query".'), document)).toBeNull();
  });

  it('writes list positions as path segments, the one convention of every error', () => {
    expect(dottedIndexes('input.kinds[0]')).toBe('input.kinds.0');
    expect(variableErrorField('Variable "$k" got invalid value "X" at "k[2]"; Value "X" does not exist in "HelpKind" enum.', new Map([['k', 'input.kinds']]))).toBe('input.kinds.2');
  });
});
