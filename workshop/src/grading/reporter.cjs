// A jest reporter for learners: one line per check, and for a failed check
// the grader's own words, without jest's stack traces and code frames.
class LearnerReporter {
  onTestResult(_test, result) {
    for (const t of result.testResults) {
      const name = [...t.ancestorTitles, t.title].join(' › ');
      if (t.status === 'passed') {
        console.log(`  ✓ ${name} (${(t.duration / 1000).toFixed(1)} s)`);
      } else if (t.status === 'failed') {
        console.log(`  ✗ ${name}`);
        for (const message of t.failureMessages) console.log(indent(explain(message)));
      }
    }
    if (result.testExecError) console.log(indent(clean(result.testExecError.message)));
  }
}

// eslint-disable-next-line no-control-regex -- colour codes start with the ESC control character
const ANSI_COLOURS = /\u001b\[[0-9;]*m/g;

/** How a failure that is not a grader's own message is flagged (verify looks for it). */
const UNEXPECTED = 'unexpected error in the check';

/** The grader's own words; anything else is flagged, since it is a bug of the check (or of the code it runs). */
function explain(message) {
  const expected = /^(GradeError|MissingToolError): /.test(message.trimStart());
  return expected ? clean(message) : `${UNEXPECTED}: ${clean(message)}`;
}

/** Keeps the message, drops stack frames and jest's matcher boilerplate. */
function clean(message) {
  return message
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .join('\n')
    .replace(ANSI_COLOURS, '')
    .replace(/^(Error|GradeError): /, '')
    .trim();
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}

module.exports = LearnerReporter;
module.exports.clean = clean;
module.exports.explain = explain;
module.exports.UNEXPECTED = UNEXPECTED;
