// Reads vitest's JSON report and prints, for LangGraphValidationTest to check:
//   FILE <name> passed N failed N skipped N      one line per test file
//   MISSING <test>                               a test MemorySaver passed that SlateSaver did not pass
// Usage: node test/summary.js REPORT.json
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
const passedBy = { MemorySaver: new Map(), SlateSaver: new Map() }; // test name (saver name masked) -> times passed
for (const file of report.testResults) {
  const count = { passed: 0, failed: 0, skipped: 0 };
  for (const t of file.assertionResults) {
    const status = t.status === "passed" ? "passed" : t.status === "failed" ? "failed" : "skipped";
    count[status] += 1;
    const name = t.fullName ?? [...(t.ancestorTitles ?? []), t.title].join(" ");
    for (const saver of Object.keys(passedBy)) {
      if (status === "passed" && name.startsWith(saver)) {
        const key = name.split(saver).join("SAVER");
        passedBy[saver].set(key, (passedBy[saver].get(key) ?? 0) + 1);
      }
    }
  }
  console.log(`FILE ${basename(file.name)} passed ${count.passed} failed ${count.failed} skipped ${count.skipped}`);
}
for (const [name, n] of passedBy.MemorySaver) {
  if ((passedBy.SlateSaver.get(name) ?? 0) < n) {
    console.log(`MISSING ${name}`);
  }
}
const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
console.log(`COMPARED ${total(passedBy.MemorySaver)} ${total(passedBy.SlateSaver)}`);
