// Writes jest's totals to .jest-results.json so that .ci/run can print
// "N passed, N failed" whatever the command line was.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const summary = {
      numPassedTests: results.numPassedTests,
      numFailedTests: results.numFailedTests,
      numPendingTests: results.numPendingTests,
      numTodoTests: results.numTodoTests,
      numFailedTestSuites: results.numFailedTestSuites,
      numRuntimeErrorTestSuites: results.numRuntimeErrorTestSuites,
    };
    writeFileSync(join(this.rootDir, '.jest-results.json'), JSON.stringify(summary, null, 2));
  }
}

module.exports = SummaryReporter;
