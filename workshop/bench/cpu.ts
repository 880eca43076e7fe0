/**
 * Where the CPU goes: the user + system time of each process of a run (the
 * replicas, the brokers, MailDev, the push sink and the bench itself, which
 * runs autocannon), read from Linux's /proc/<pid>/stat before and after a
 * phase, and divided by the users of that phase. A process's line in
 * /proc/<pid>/stat adds up all its threads (libuv's pool, V8's GC), so a
 * Node process's figure is all of its work.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface CpuTimes {
  /** Time in user mode, ms. */
  userMs: number;
  /** Time in the kernel on the process's behalf (syscalls: sockets, files), ms. */
  systemMs: number;
}

/** A process to watch: what the table calls it, and its pid. */
export interface Watched {
  name: string;
  pid: number;
}

export interface ProcessCpu {
  name: string;
  /** CPU ms (user + system) the process spent during the phase. */
  ms: number;
  msPerUser: number;
}

export interface CpuSpent {
  /** The users of the phase the ms are divided by. */
  users: number;
  /** The phase's wall time: the ms of all processes over it is how many cores were busy. */
  wallMs: number;
  processes: ProcessCpu[];
}

/**
 * Reads utime and stime (fields 14 and 15, in clock ticks) of a
 * /proc/<pid>/stat line. The second field is the command name in
 * parentheses, which may itself hold spaces and parentheses: the fields are
 * counted from the LAST ")".
 */
export function parseProcStat(line: string, ticksPerSecond: number): CpuTimes {
  const end = line.lastIndexOf(')');
  if (end < 0) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // After ")": field 3 (state) is at index 0, so field N is at index N - 3.
  const fields = line
    .slice(end + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`no utime/stime in /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  }
  const msPerTick = 1000 / ticksPerSecond;
  return { userMs: utime * msPerTick, systemMs: stime * msPerTick };
}

let ticks: number | undefined;

/** The kernel's clock ticks per second (USER_HZ, 100 on every Linux we know of; asked once). */
function ticksPerSecond(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** The CPU a process has used since it started, or undefined where there is no /proc (macOS) or it is gone. */
export async function readCpu(pid: number): Promise<CpuTimes | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'), ticksPerSecond());
  } catch {
    return undefined;
  }
}

/** Reads every watched process now; measure with `spentSince`. */
export async function cpuNow(processes: Watched[]): Promise<Map<Watched, CpuTimes | undefined>> {
  const times = await Promise.all(processes.map((p) => readCpu(p.pid)));
  return new Map(processes.map((p, i) => [p, times[i]]));
}

/**
 * What each process spent since `before` (read by cpuNow), per user. A
 * process that could not be read before or after (no /proc, or it exited)
 * is left out; none read at all gives undefined.
 */
export async function spentSince(
  before: Map<Watched, CpuTimes | undefined>,
  startedAt: number,
  users: number,
): Promise<CpuSpent | undefined> {
  const after = await cpuNow([...before.keys()]);
  const wallMs = Date.now() - startedAt;
  const processes: ProcessCpu[] = [];
  for (const [process, start] of before) {
    const end = after.get(process);
    if (!start || !end) continue;
    const ms = end.userMs + end.systemMs - (start.userMs + start.systemMs);
    processes.push({ name: process.name, ms, msPerUser: ms / Math.max(1, users) });
  }
  return processes.length === 0 ? undefined : { users, wallMs, processes };
}
