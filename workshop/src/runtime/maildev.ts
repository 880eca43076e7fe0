/**
 * MailDev (the SMTP sink the mail replicas send to) as a process on free
 * loopback ports: started by the backing services of each run, or once per
 * verify slot and lent to the runs of that slot (see steps/prove.ts).
 */
import { MailDevClient } from '../grading/sinks';
import { ManagedProcess } from './managed-process';
import { freePort } from './ports';
import { packageFile } from './tools';
import { waitFor } from './wait';

export interface MailDevEndpoints {
  smtpUrl: string;
  mailDevUrl: string;
}

/** MailDev's CLI script (its package exports no path to it). */
const maildevBin = () => packageFile('maildev', 'dist', 'bin', 'maildev.js');

/**
 * Starts MailDev, storing mail under `mailDir`; `ready` resolves once it
 * answers. Its web UI on `webPort` when given (`workshop local`'s known port),
 * else on a free one.
 */
export async function spawnMailDev(
  logFile: string,
  mailDir: string,
  webPort?: number,
): Promise<{ process: ManagedProcess; endpoints: MailDevEndpoints; ready: Promise<unknown> }> {
  const [smtpPort, freeWebPort] = await Promise.all([freePort(), webPort ?? freePort()]);
  webPort = freeWebPort;
  const endpoints = { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, mailDevUrl: `http://127.0.0.1:${webPort}` };
  const maildev = new ManagedProcess({
    name: 'maildev',
    command: process.execPath,
    args: [
      maildevBin(),
      '-s',
      String(smtpPort),
      '-w',
      String(webPort),
      '--ip',
      '127.0.0.1',
      '--web-ip',
      '127.0.0.1',
      '--mail-directory',
      mailDir,
    ],
    logFile,
  });
  const mail = new MailDevClient(endpoints.mailDevUrl);
  const ready = waitFor(() => maildev.running && mail.healthy().catch(() => false), {
    what: 'MailDev to answer /api/healthz',
    timeoutMs: 20_000,
  });
  return { process: maildev, endpoints, ready };
}

/**
 * A MailDev that verify started for one slot (WORKSHOP_MAILDEV, JSON of its
 * endpoints): a run of that slot empties it and uses it instead of its own.
 * The runs of a slot come one after the other, each stopping its replicas
 * before the next starts, so none sees another's mail.
 */
export function lentMailDev(): MailDevEndpoints | undefined {
  const raw = process.env.WORKSHOP_MAILDEV;
  return raw ? (JSON.parse(raw) as MailDevEndpoints) : undefined;
}
