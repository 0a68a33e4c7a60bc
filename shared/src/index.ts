export * from './enums';
export * from './labels';
export * from './id-number';
export * from './phone';
export * from './money';
export * from './masking';
export * from './intake';
