/** The bench's results: their JSON shape (read by the guide's chart too) and the tables printed. */

export interface Counted {
  delivered: number;
  /** Users with at least one. */
  served: number;
  duplicated: number;
  lost: number;
}

export interface ConfigurationResult {
  key: string;
  label: string;
  step: number;
  /** Users the gateway accepted per second under the load, with the whole pipeline running. */
  usersPerSecond: number;
  /** Requests answered with an error, or not at all. */
  refused: number;
  emailsPerSecond: number;
  pushesPerSecond: number;
  /** The paced rate at which p50 / p99 were timed (half the sustained rate). */
  latencyRatePerSecond: number;
  /** From POST /users to the email's arrival in MailDev. */
  p50Ms: number;
  p99Ms: number;
  mail: Counted;
  push: Counted;
}

export interface BenchResults {
  /** "measured": this machine, this run. "sample": committed from the workshop's own machine. */
  kind: 'measured' | 'sample';
  note?: string;
  date: string;
  machine: { cpus: number; cpu: string; node: string };
  load: { tool: string; connections: number; seconds: number; maxRequests: number; smtpConnections: number };
  ceilings: { httpPerSecond: number; natsPerSecond: number; mailDevPerSecond: number; gatewayAlonePerSecond: number };
  configurations: ConfigurationResult[];
}

/** Deliveries per accepted user who got any (those for users the load did not see accepted are left out). */
export const perUser = (c: Counted) => (c.served + c.duplicated) / Math.max(1, c.served);

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const ratio = (n: number, of: number) => `${fixed(n)} (${fixed(n / of, 2)}x)`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function printTable(r: BenchResults): void {
  const c = r.ceilings;
  console.log(
    `\nLoad: ${r.load.tool} -c ${r.load.connections}, ${r.load.seconds} s on POST /users (at most ${r.load.maxRequests} users). ` +
      `${r.machine.cpus} x ${r.machine.cpu}, Node ${r.machine.node}.`,
  );
  console.log(
    table(
      ['ceiling', 'per second'],
      [
        ['bare node:http (same load)', fixed(c.httpPerSecond)],
        ['raw NATS queue group (msgs)', fixed(c.natsPerSecond)],
        [`MailDev ingest (nodemailer, ${r.load.smtpConnections} connections)`, fixed(c.mailDevPerSecond)],
        ['gateway + user service, no consumers', ratio(c.gatewayAlonePerSecond, c.httpPerSecond)],
      ],
    ),
  );
  console.log('\nRatios: users/s to bare node:http; emails/s and pushes/s to MailDev ingest.');
  console.log(
    table(
      [
        'configuration',
        'users/s',
        'emails/s',
        'pushes/s',
        'p50 ms',
        'p99 ms',
        'emails/user',
        'no email',
        'pushes/user',
        'no push',
      ],
      r.configurations.map((x) => [
        `${x.label} (step ${x.step})`,
        ratio(x.usersPerSecond, c.httpPerSecond),
        ratio(x.emailsPerSecond, c.mailDevPerSecond),
        ratio(x.pushesPerSecond, c.mailDevPerSecond),
        fixed(x.p50Ms),
        fixed(x.p99Ms),
        fixed(perUser(x.mail), 2),
        String(x.mail.lost),
        fixed(perUser(x.push), 2),
        String(x.push.lost),
      ]),
    ),
  );
}

export interface ChaosRow {
  key: string;
  label: string;
  step: number;
  /** Users the gateway accepted (201). */
  sent: number;
  /** Requests refused or failed (the broker restart). */
  refused: number;
  kills: number;
  mail: Counted;
  push: Counted;
}

export interface ChaosResults {
  kind: 'measured' | 'sample';
  note?: string;
  date: string;
  seed: number;
  /** How the replicas were stopped: SIGKILL (a crash) or SIGTERM (a graceful stop). */
  stop: 'SIGKILL' | 'SIGTERM';
  usersPerSecond: number;
  seconds: number;
  rows: ChaosRow[];
}

export function printChaos(r: ChaosResults): void {
  console.log(
    `\nChaos: ${r.usersPerSecond} users/s for ${r.seconds} s, ${r.rows[0]?.kills ?? 0} replica stops (${r.stop}, started again) and one broker restart, seed ${r.seed}.`,
  );
  console.log(
    table(
      ['configuration', 'sent', 'refused', 'emails', 'dup', 'lost', 'pushes', 'dup', 'lost'],
      r.rows.map((x) => [
        `${x.label} (step ${x.step})`,
        String(x.sent),
        String(x.refused),
        String(x.mail.delivered),
        String(x.mail.duplicated),
        String(x.mail.lost),
        String(x.push.delivered),
        String(x.push.duplicated),
        String(x.push.lost),
      ]),
    ),
  );
}
