// Marks each generated document as pure (/*#__PURE__*/), so that the bundler leaves out operations a
// build never uses: the demo sign-in's are not in the weapp release. The client preset does not pass
// on codegen's own pureMagicComment option, hence this step (codegen's afterOneFileWrite hook).
import fs from 'node:fs';

for (const file of process.argv.slice(2)) {
  if (!file.endsWith('graphql.ts')) continue;
  const source = fs.readFileSync(file, 'utf8');
  const marked = source.replace(/ = new TypedDocumentString\(/g, ' = /*#__PURE__*/ new TypedDocumentString(');
  if (marked !== source) fs.writeFileSync(file, marked);
}
