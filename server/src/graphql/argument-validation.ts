import { validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { getNamedType, isInputObjectType, type GraphQLResolveInfo } from 'graphql';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';

type ArgumentType = Parameters<ValidatorFn>[1];

/**
 * class-validator's failures on one argument, with the argument they are about: type-graphql validates
 * an `@Arg('input')` object on its own, so its errors name `summary` where every other error of the API
 * names `input.summary` (the path the client wrote).
 */
export class ArgumentInputError extends ArgumentValidationError {
  constructor(
    validationErrors: ValidationError[],
    /** The argument path the errors' properties sit under (`input`, `residents.2`); empty for flattened @Args. */
    readonly argumentPath: string,
  ) {
    super(validationErrors);
  }
}

/** What type-graphql itself does: missing optional fields are not errors, unknown objects are allowed. */
const VALIDATOR_OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

/**
 * The argument of the field being resolved that a validated value was given as: the one whose input
 * type is the value's class, or the only input-object argument. None for an @ArgsType, whose
 * properties are the field's arguments themselves.
 */
function argumentNameOf(value: object, argumentType: ArgumentType, info: GraphQLResolveInfo): string {
  const fieldArguments = info.parentType.getFields()[info.fieldName]?.args ?? [];
  const className = typeof argumentType === 'function' ? argumentType.name : '';
  const inputArguments = fieldArguments.filter((argument) => isInputObjectType(getNamedType(argument.type)));
  const byType = inputArguments.find((argument) => getNamedType(argument.type).name === className);
  if (byType) return byType.name;
  const argumentNames = new Set(fieldArguments.map((argument) => argument.name));
  if (Object.keys(value).some((key) => argumentNames.has(key))) return '';
  return inputArguments.length === 1 ? inputArguments[0]!.name : '';
}

/**
 * type-graphql's `validateFn`: validates an argument with class-validator as type-graphql would, and
 * says which argument a failure is about, so that the formatter names the whole path.
 */
export const validateArgument: ValidatorFn = async (value, argumentType, resolverData) => {
  if (value === null || typeof value !== 'object') return;
  const items = Array.isArray(value) ? value : [value];
  for (const [index, item] of items.entries()) {
    if (item === null || typeof item !== 'object') continue;
    const errors = await validate(item as object, VALIDATOR_OPTIONS);
    if (errors.length === 0) continue;
    const name = argumentNameOf(item as object, argumentType, resolverData.info);
    const path = Array.isArray(value) ? [name, String(index)].filter(Boolean).join('.') : name;
    throw new ArgumentInputError(errors, path);
  }
};
