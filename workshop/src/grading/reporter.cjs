// A jest reporter for learners: one line per check as soon as it finishes,
// and for a failed check the grader's own words, without jest's stack traces
// and code frames.
const { styleText } = require('node:util');

class LearnerReporter {
  constructor() {
    this.shown = new Set();
  }

  onTestCaseResult(_test, t) {
    const name = [...t.ancestorTitles, t.title].join(' › ');
    if (t.status === 'passed') {
      console.log(`  ${paint('green', '✓')} ${name} ${paint('dim', `(${(t.duration / 1000).toFixed(1)} s)`)}`);
    } else if (t.status === 'failed') {
      console.log(`  ${paint('red', '✗')} ${name}`);
      for (const message of t.failureMessages) {
        // A failed beforeAll fails every check of the file with the same words: once is enough.
        const text = explain(message);
        console.log(indent(this.shown.has(text) ? '(the same as above)' : text));
        this.shown.add(text);
      }
    }
  }

  onTestResult(_test, result) {
    if (result.testExecError) console.log(indent(clean(result.testExecError.message)));
  }
}

/**
 * The rule of workshop/src/cli/style.ts (a test keeps the two in step). Under
 * the CLI this process's output is a pipe: the CLI sets FORCE_COLOR when the
 * learner's terminal shows colour.
 */
function colourOn(stream = process.stdout, env = process.env) {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

function paint(format, text) {
  return colourOn() ? styleText(format, text, { validateStream: false }) : text;
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
module.exports.colourOn = colourOn;
