/**
 * The guide and the step manifest (steps/steps.json), kept in step: the
 * sidebar is built from the manifest, and checkGuide() lists what is out of
 * step. The VitePress config throws on any problem (so the build fails) and
 * workshop/test/docs.test.ts asserts the same checks one by one.
 *
 * The convention: a step's page is workshop-docs/steps/<slug>.md, and its
 * frontmatter says which step it is (`step: 3`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadSteps, type Step } from '../../workshop/src/steps/manifest.js';

/** The fields of a manifest step (workshop/src/steps/manifest.ts) the guide reads. */
export type ManifestStep = Pick<Step, 'id' | 'slug' | 'title' | 'files'> & Partial<Pick<Step, 'summary' | 'bonus'>>;

export interface Manifest {
  steps: ManifestStep[];
}

export interface SidebarItem {
  text: string;
  link?: string;
  items?: SidebarItem[];
  collapsed?: boolean;
}

/** A `<<<` snippet import of a page. */
export interface SnippetImport {
  /** The page, relative to the docs folder. */
  page: string;
  line: number;
  /** The path as written (after `<<<`). */
  written: string;
  /** The absolute file it names. */
  file: string;
  /** Inside a `::: details` block (collapsed until the reader opens it). */
  inDetails: boolean;
}

export interface StepPage {
  /** Relative to the docs folder, e.g. steps/03-queue-groups.md. */
  page: string;
  slug: string;
  /** The `step:` of its frontmatter, or undefined when it has none. */
  step?: number;
  /** The `title:` of its frontmatter, and its first `# ` heading. */
  title?: string;
  heading?: string;
}

export interface GuideReport {
  problems: string[];
  /** Step pages written ahead of their manifest entry: not built, not in the sidebar. */
  pending: StepPage[];
}

export const STEPS_DIR = 'steps';

/** The manifest, read and checked by the workshop's one loader. */
export function readManifest(repo: string): Manifest {
  return { steps: loadSteps(repo) };
}

/** The title a step's page has, in its frontmatter and its heading. */
export const pageTitle = (step: ManifestStep) => `Step ${step.id}${step.bonus ? ' (bonus)' : ''}: ${step.title}`;

export const stepLink = (step: Pick<ManifestStep, 'slug'>) => `/${STEPS_DIR}/${step.slug}`;

export const stepText = (step: ManifestStep) => `${step.id}. ${step.title}${step.bonus ? ' (bonus)' : ''}`;

/** The sidebar: the pages around the steps, and one entry per manifest step, in id order. */
export function buildSidebar(manifest: Manifest): SidebarItem[] {
  const steps = [...manifest.steps].sort((a, b) => a.id - b.id);
  return [
    {
      text: 'Start here',
      items: [
        { text: 'The workshop', link: '/' },
        { text: 'How the workshop works', link: '/how-it-works' },
      ],
    },
    { text: 'Steps', items: steps.map((step) => ({ text: stepText(step), link: stepLink(step) })) },
    { text: 'Measure', items: [{ text: 'Measure it', link: '/measure' }] },
    {
      text: 'Beyond the steps',
      items: [
        { text: 'The transactional outbox', link: '/beyond/outbox' },
        { text: 'Poison messages and dead letters', link: '/beyond/poison-messages' },
        { text: 'Ordering and per-key concurrency', link: '/beyond/ordering' },
      ],
    },
    { text: 'Facilitators', items: [{ text: 'Running it in a room', link: '/facilitator' }] },
  ];
}

/** The `key: value` lines of a page's leading frontmatter block. */
export function frontmatter(source: string): Record<string, string> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(source);
  const fields: Record<string, string> = {};
  if (!match) return fields;
  for (const line of match[1].split(/\r?\n/)) {
    const field = /^([A-Za-z][\w-]*):\s*(.*?)\s*$/.exec(line);
    if (field) fields[field[1]] = field[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return fields;
}

/** Every .md page under the docs folder (relative paths), outside .vitepress and node_modules. */
export function listPages(docsDir: string, under = ''): string[] {
  const pages: string[] = [];
  for (const entry of readdirSync(join(docsDir, under), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) pages.push(...listPages(docsDir, path));
    else if (entry.name.endsWith('.md')) pages.push(path);
  }
  return pages.sort();
}

export function stepPages(docsDir: string): StepPage[] {
  return listPages(docsDir)
    .filter((page) => page.startsWith(`${STEPS_DIR}/`))
    .map((page) => {
      const source = readFileSync(join(docsDir, page), 'utf8');
      const fields = frontmatter(source);
      const step = fields.step !== undefined && /^\d+$/.test(fields.step) ? Number(fields.step) : undefined;
      const heading = /^# (.+?)\s*$/m.exec(source)?.[1];
      return { page, slug: page.slice(STEPS_DIR.length + 1, -'.md'.length), step, title: fields.title, heading };
    });
}

/**
 * The `<<< path` lines of a page, resolved as VitePress does: `@/` is the docs
 * folder, other paths are relative to the page. A `{1,3}` line range, a
 * `#region` and a `[title]` after the path are not part of it.
 */
export function snippetImports(docsDir: string, page: string): SnippetImport[] {
  const imports: SnippetImport[] = [];
  let details = 0;
  let fence: string | undefined;
  readFileSync(join(docsDir, page), 'utf8')
    .split(/\r?\n/)
    .forEach((text, index) => {
      const fenceMark = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
      if (fenceMark && (!fence || fenceMark.startsWith(fence))) {
        fence = fence ? undefined : fenceMark;
        return;
      }
      if (fence) return; // a `<<<` inside a code block is an example, not an import
      if (/^\s*:::\s*details\b/.test(text)) details += 1;
      else if (/^\s*:::\s*$/.test(text) && details > 0) details -= 1;
      const match = /^\s*<<<\s+(\S+)/.exec(text);
      if (!match) return;
      const written = match[1];
      const path = written
        .replace(/\{[^}]*\}$/, '')
        .replace(/#[\w-]+$/, '')
        .replace(/\[[^\]]*\]$/, '');
      const file = path.startsWith('@/')
        ? resolve(docsDir, path.slice(2))
        : resolve(dirname(join(docsDir, page)), path);
      imports.push({ page, line: index + 1, written, file, inDetails: details > 0 });
    });
  return imports;
}

/**
 * Everything that is out of step between the guide and the manifest:
 * a step with no page, a page that names no step or the wrong one, a
 * snippet import of a missing file, a solution shown outside a collapsed
 * block, a solution file of a step that its page does not show.
 */
export function checkGuide(repo: string, manifest = readManifest(repo)): GuideReport {
  const docsDir = join(repo, 'workshop-docs');
  const problems: string[] = [];
  const pages = stepPages(docsDir);
  const byId = new Map(manifest.steps.map((step) => [step.id, step]));

  for (const step of manifest.steps) {
    const page = pages.find((p) => p.slug === step.slug);
    if (!page) {
      problems.push(
        `step ${step.id} (${step.slug}) has no page: write workshop-docs/${STEPS_DIR}/${step.slug}.md with frontmatter "step: ${step.id}"`,
      );
    } else if (page.step !== step.id) {
      problems.push(
        `workshop-docs/${page.page} is the page of step ${step.id}: its frontmatter must say "step: ${step.id}"`,
      );
    } else {
      const title = pageTitle(step);
      if (page.title !== title)
        problems.push(
          `workshop-docs/${page.page}'s frontmatter title is "${page.title ?? ''}": it should be "${title}" (the manifest's title)`,
        );
      if (page.heading !== title)
        problems.push(
          `workshop-docs/${page.page}'s heading is "# ${page.heading ?? ''}": it should be "# ${title}" (the manifest's title)`,
        );
    }
  }

  const pending: StepPage[] = [];
  for (const page of pages) {
    if (page.step === undefined) {
      problems.push(`workshop-docs/${page.page} names no step: give it frontmatter "step: <id in steps/steps.json>"`);
      continue;
    }
    const step = byId.get(page.step);
    if (!step) {
      if (!manifest.steps.some((s) => s.slug === page.slug)) pending.push(page);
      continue;
    }
    if (step.slug !== page.slug) {
      problems.push(
        `workshop-docs/${page.page} says "step: ${page.step}", but step ${page.step} of the manifest is ${step.slug}`,
      );
    }
  }

  for (const page of listPages(docsDir)) {
    for (const snippet of snippetImports(docsDir, page)) {
      const where = `workshop-docs/${page}:${snippet.line}`;
      if (!existsSync(snippet.file)) {
        problems.push(`${where} imports ${snippet.written}, but ${relative(repo, snippet.file)} does not exist`);
      }
      if (relative(join(repo, 'solutions'), snippet.file).split(/[\\/]/)[0] !== '..' && !snippet.inDetails) {
        problems.push(`${where} shows a solution file outside a "::: details" block: readers would see it unasked`);
      }
    }
  }

  // Every solution file of a published step is shown on its page.
  for (const step of manifest.steps) {
    const page = pages.find((p) => p.slug === step.slug && p.step === step.id);
    if (!page) continue;
    const shown = new Set(snippetImports(docsDir, page.page).map((s) => s.file));
    for (const file of step.files) {
      const solution = join(repo, 'solutions', step.slug, file);
      if (existsSync(solution) && !shown.has(solution)) {
        problems.push(
          `workshop-docs/${page.page} does not show ${relative(repo, solution)}: add "<<< @/../solutions/${step.slug}/${file}" to its solution block`,
        );
      }
    }
  }

  return { problems, pending };
}
