/** The bench's results: their JSON shape (read by the guide's chart too) and the tables printed. */
import type { CpuSpent } from './cpu';

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
  /** The paced users' time, in parts (see breakDown). */
  latencyParts?: LatencyPart[];
  /** CPU per process over the sustained phase (Linux only: read from /proc). */
  cpu?: CpuSpent;
}

export interface LatencyPart {
  name: string;
  p50Ms: number;
  p99Ms: number;
}

export interface BenchResults {
  /** "measured": this machine, this run. "sample": committed from the workshop's own machine. */
  kind: 'measured' | 'sample';
  note?: string;
  date: string;
  machine: { cpus: number; cpu: string; node: string };
  load: { tool: string; connections: number; seconds: number; maxRequests: number; smtpConnections: number };
  ceilings: {
    httpPerSecond: number;
    natsPerSecond: number;
    mailDevPerSecond: number;
    gatewayAlonePerSecond: number;
    /** CPU per email of MailDev (and of the bench sending) while its ingest was timed. */
    mailDevIngestCpu?: CpuSpent;
  };
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

/**
 * CPU ms per accepted user, by process (rows) and configuration (columns),
 * over the sustained phase: where the machine's cores went. "cores busy" is
 * the total over the phase's wall time: at the machine's core count, the
 * pipeline is bound by CPU, not by any one server.
 */
export function printCpu(r: BenchResults): void {
  const measured = r.configurations.filter((x) => x.cpu);
  if (measured.length === 0) {
    console.log('\nCPU per process: not measured (it reads /proc, on Linux only).');
    return;
  }
  const names = [...new Set(measured.flatMap((x) => x.cpu!.processes.map((p) => p.name)))];
  const cell = (x: ConfigurationResult, name: string) => {
    const p = x.cpu!.processes.find((q) => q.name === name);
    return p ? fixed(p.msPerUser, 2) : '';
  };
  const total = (x: ConfigurationResult) => x.cpu!.processes.reduce((sum, p) => sum + p.ms, 0);
  console.log(
    `\nCPU ms per user, by process, from the load's start until the sinks settled (user + system time, /proc/<pid>/stat; ${r.machine.cpus} cores).`,
  );
  console.log(
    table(
      ['process', ...measured.map((x) => x.key)],
      [
        ...names.map((name) => [name, ...measured.map((x) => cell(x, name))]),
        ['all processes', ...measured.map((x) => fixed(total(x) / Math.max(1, x.cpu!.users), 2))],
        ['cores busy (all / wall time)', ...measured.map((x) => fixed(total(x) / x.cpu!.wallMs, 2))],
        [
          `users/s that ${r.machine.cpus} busy cores carry`,
          ...measured.map((x) => fixed((r.machine.cpus * 1000 * x.cpu!.users) / Math.max(1, total(x)))),
        ],
      ],
    ),
  );
  const alone = r.ceilings.mailDevIngestCpu;
  if (alone) {
    const each = alone.processes.map((p) => `${p.name} ${fixed(p.msPerUser, 2)}`).join(', ');
    console.log(`MailDev's ingest ceiling, CPU ms per email: ${each}.`);
  }
}

/** p50 / p99 of each part of a paced user's time to its email. */
export function printLatencyParts(r: BenchResults): void {
  const measured = r.configurations.filter((x) => x.latencyParts?.length);
  if (measured.length === 0) return;
  const names = measured[0].latencyParts!.map((p) => p.name);
  console.log("\nWhere a paced user's time goes, p50 / p99 ms (each part on its own: the p99s do not add up).");
  console.log(
    table(
      ['part', ...measured.map((x) => x.key)],
      names.map((name) => [
        name,
        ...measured.map((x) => {
          const p = x.latencyParts!.find((q) => q.name === name);
          return p ? `${fixed(p.p50Ms)} / ${fixed(p.p99Ms)}` : '';
        }),
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
