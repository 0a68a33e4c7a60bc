// One swc configuration for every package's jest: decorators and their metadata as tsc emits them,
// and class fields assigned the TypeScript way (MikroORM relations depend on it).
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
