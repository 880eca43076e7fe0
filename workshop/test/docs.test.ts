/**
 * The guide (workshop-docs/) and the step manifest (steps/steps.json) kept in
 * step, both ways: every step has a page, every step page names a step of the
 * manifest, every `<<<` snippet import names a file that exists, and the
 * sidebar is the manifest's. The same checks stop `vitepress build`
 * (workshop-docs/.vitepress/config.ts); here they fail one by one, and the
 * last tests prove that each check can fail.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import {
  buildSidebar,
  checkGuide,
  listPages,
  readManifest,
  snippetImports,
  stepLink,
  stepPages,
  stepText,
  type Manifest,
} from '../../workshop-docs/.vitepress/guide';

const REPO = join(__dirname, '..', '..');
const DOCS = join(REPO, 'workshop-docs');
const manifest = readManifest(REPO);

describe('the guide and steps/steps.json', () => {
  it('has a page for every step of the manifest, whose frontmatter names that step', () => {
    const pages = stepPages(DOCS);
    const missing = manifest.steps
      .filter((step) => !pages.some((p) => p.slug === step.slug && p.step === step.id))
      .map((step) => `step ${step.id}: workshop-docs/steps/${step.slug}.md with "step: ${step.id}"`);
    expect(missing).toEqual([]);
  });

  it('links every step page to a step: one of the manifest, or one it is written ahead of', () => {
    const pages = stepPages(DOCS);
    expect(pages.filter((p) => p.step === undefined).map((p) => p.page)).toEqual([]);
    const { pending } = checkGuide(REPO, manifest);
    for (const page of pages) {
      const step = manifest.steps.find((s) => s.id === page.step);
      if (step) expect({ page: page.page, slug: step.slug }).toEqual({ page: page.page, slug: page.slug });
      else expect(pending.map((p) => p.page)).toContain(page.page);
      // The file name's number is the step's: 03-queue-groups.md is step 3.
      expect({ page: page.page, step: Number(page.slug.split('-')[0]) }).toEqual({ page: page.page, step: page.step });
    }
    if (pending.length > 0) {
      // Not a failure: a page written before its step reached the manifest is not built.
      console.info(`pages waiting for their step in steps/steps.json: ${pending.map((p) => p.page).join(', ')}`);
    }
  });

  it('imports only files that exist with `<<<`', () => {
    const imports = listPages(DOCS).flatMap((page) => snippetImports(DOCS, page));
    expect(imports.length).toBeGreaterThan(0);
    const broken = imports
      .filter((s) => {
        try {
          readFileSync(s.file);
          return false;
        } catch {
          return true;
        }
      })
      .map((s) => `workshop-docs/${s.page}:${s.line} ${s.written}`);
    expect(broken).toEqual([]);
  });

  it('shows solutions only inside a collapsed "::: details" block', () => {
    const exposed = listPages(DOCS)
      .flatMap((page) => snippetImports(DOCS, page))
      .filter((s) => !relative(join(REPO, 'solutions'), s.file).startsWith('..') && !s.inDetails)
      .map((s) => `workshop-docs/${s.page}:${s.line}`);
    expect(exposed).toEqual([]);
  });

  it('shows every solution file of a published step on its page', () => {
    const report = checkGuide(REPO, manifest);
    expect(report.problems.filter((p) => p.includes('does not show'))).toEqual([]);
  });

  it('finds nothing out of step (what stops the build)', () => {
    expect(checkGuide(REPO, manifest).problems).toEqual([]);
  });

  it('builds the sidebar from the manifest: every step, in id order, linked to its page', () => {
    const group = buildSidebar(manifest).find((g) => g.text === 'Steps');
    const sorted = [...manifest.steps].sort((a, b) => a.id - b.id);
    expect(group?.items).toEqual(sorted.map((step) => ({ text: stepText(step), link: stepLink(step) })));
  });
});

describe('the checks can fail', () => {
  let repo: string;

  function write(path: string, text: string): void {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }

  const page = (id: number, body = '') =>
    `---\nstep: ${id}\ntitle: 'Step ${id}: Title ${id}'\n---\n\n# Step ${id}: Title ${id}\n\n${body}`;
  const withSteps = (...steps: [number, string, string[]?][]): Manifest => ({
    steps: steps.map(([id, slug, files = []]) => ({ id, slug, title: `Title ${id}`, files })),
  });

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'docs-test-'));
    write('workshop-docs/index.md', '# Guide\n');
    write('workshop-docs/steps/01-one.md', page(1));
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('passes a guide in step with its manifest', () => {
    expect(checkGuide(repo, withSteps([1, '01-one'])).problems).toEqual([]);
  });

  it('puts a new manifest step in the sidebar, and reports its missing page', () => {
    const manifest = withSteps([1, '01-one'], [7, '07-new']);
    expect(
      buildSidebar(manifest)
        .find((g) => g.text === 'Steps')
        ?.items?.map((i) => i.link),
    ).toEqual(['/steps/01-one', '/steps/07-new']);
    expect(checkGuide(repo, manifest).problems).toEqual([
      'step 7 (07-new) has no page: write workshop-docs/steps/07-new.md with frontmatter "step: 7"',
    ]);
  });

  it('reports a page that names no step, or the wrong one', () => {
    write('workshop-docs/steps/02-two.md', '# Two\n');
    write('workshop-docs/steps/03-three.md', page(1));
    const problems = checkGuide(repo, withSteps([1, '01-one'], [3, '03-three'])).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('steps/02-two.md names no step'),
        expect.stringContaining('steps/03-three.md is the page of step 3'),
        expect.stringContaining('says "step: 1", but step 1 of the manifest is 01-one'),
      ]),
    );
  });

  it("reports a page whose title or heading is not the manifest's title", () => {
    write('workshop-docs/steps/01-one.md', page(1).replace('# Step 1: Title 1', '# Step 1: An old title'));
    const manifest = { steps: [{ id: 1, slug: '01-one', title: 'Title 1', files: [], bonus: true }] };
    expect(checkGuide(repo, manifest).problems).toEqual([
      `workshop-docs/steps/01-one.md's frontmatter title is "Step 1: Title 1": it should be "Step 1 (bonus): Title 1" (the manifest's title)`,
      `workshop-docs/steps/01-one.md's heading is "# Step 1: An old title": it should be "# Step 1 (bonus): Title 1" (the manifest's title)`,
    ]);
  });

  it('keeps a page written ahead of its manifest entry out of the build', () => {
    write('workshop-docs/steps/02-two.md', page(2));
    const report = checkGuide(repo, withSteps([1, '01-one']));
    expect(report.problems).toEqual([]);
    expect(report.pending.map((p) => p.page)).toEqual(['steps/02-two.md']);
  });

  it('reports a snippet import of a missing file, and a solution shown outside a details block', () => {
    write('solutions/01-one/a.ts', 'export const a = 1;\n');
    write(
      'workshop-docs/steps/01-one.md',
      page(1, '<<< @/../solutions/01-one/a.ts\n\n::: details\n\n<<< @/../solutions/01-one/b.ts{2}\n\n:::\n'),
    );
    expect(checkGuide(repo, withSteps([1, '01-one'])).problems).toEqual([
      'workshop-docs/steps/01-one.md:8 shows a solution file outside a "::: details" block: readers would see it unasked',
      'workshop-docs/steps/01-one.md:12 imports @/../solutions/01-one/b.ts{2}, but solutions/01-one/b.ts does not exist',
    ]);
  });

  it('reports a solution file of the step that its page does not show', () => {
    write('solutions/01-one/services/x.ts', 'export const x = 1;\n');
    expect(checkGuide(repo, withSteps([1, '01-one', ['services/x.ts']])).problems).toEqual([
      'workshop-docs/steps/01-one.md does not show solutions/01-one/services/x.ts: add "<<< @/../solutions/01-one/services/x.ts" to its solution block',
    ]);
  });

  it('ignores a `<<<` inside a code block (an example, not an import)', () => {
    write('workshop-docs/steps/01-one.md', page(1, '```md\n<<< @/../nowhere.ts\n```\n'));
    expect(checkGuide(repo, withSteps([1, '01-one'])).problems).toEqual([]);
  });
});
