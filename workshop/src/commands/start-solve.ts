import { relative } from 'node:path';
import { layDown } from '../steps/lay-down';
import { endOverlays, getStep, REPO, startOverlays, type Step } from '../steps/manifest';
import { updateProgress } from '../state';

function report(what: string, step: Step, written: string[], backupDir: string | undefined): void {
  if (written.length === 0) {
    console.log(`Nothing to change: your files already are ${what} of step ${step.id}.`);
  } else {
    console.log(`Laid down ${what} of step ${step.id} (${written.length} file(s)):`);
    for (const file of written) console.log(`  ${file}`);
  }
  if (backupDir)
    console.log(`Your previous versions of the changed files are saved in ${relative(process.cwd(), backupDir)}/`);
}

/** `workshop start N`: the start of step N (the solutions before it, then its starter files). */
export async function startCommand(stepId: number): Promise<number> {
  const step = getStep(stepId);
  const { written, backupDir } = await layDown(REPO, startOverlays(step), `start-${step.id}`);
  report('the start', step, written, backupDir);
  updateProgress((p) => {
    p.current = step.id;
  });
  console.log(`\nStep ${step.id}: ${step.title}\n${step.summary}\nEdit: ${step.files.join(', ')}\nThen: npm test`);
  return 0;
}

/** `workshop solve N`: the end of step N (its solution and the ones before it). */
export async function solveCommand(stepId: number): Promise<number> {
  const step = getStep(stepId);
  const { written, backupDir } = await layDown(REPO, endOverlays(step), `solve-${step.id}`);
  report('the solution', step, written, backupDir);
  console.log(`\nCheck it: npm test -- ${step.id}`);
  return 0;
}
