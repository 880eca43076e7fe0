import { fileURLToPath } from 'node:url';
import { defineConfigWithTheme, type DefaultTheme } from 'vitepress';
// Imported so that `docs:dev` restarts when the manifest changes; read (and checked) by readManifest.
import '../../steps/steps.json';
import { buildSidebar, checkGuide, readManifest, type ManifestStep } from './guide';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const steps = readManifest(repo);

// A step with no page, a page naming the wrong step, a snippet of a missing
// file: the build stops here and says which.
const { problems, pending } = checkGuide(repo, steps);
if (problems.length > 0) {
  throw new Error(`the guide is out of step with steps/steps.json:\n  - ${problems.join('\n  - ')}`);
}
for (const page of pending) {
  console.warn(`guide: ${page.page} waits for step ${page.step} in steps/steps.json (not published yet)`);
}

export default defineConfigWithTheme<DefaultTheme.Config & { steps: ManifestStep[] }>({
  title: 'Queue groups workshop',
  description:
    'One event, one email: duplicate events with Redis pub/sub, fixed with NATS queue groups, JetStream and idempotent consumers.',
  cleanUrls: true,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  lastUpdated: false,
  // Pages written ahead of their step's manifest entry are not published.
  srcExclude: pending.map((page) => page.page),
  themeConfig: {
    sidebar: buildSidebar(steps),
    nav: [
      { text: 'Guide', link: '/' },
      { text: 'Delivery board', link: '/board' },
      { text: 'How it works', link: '/how-it-works' },
      { text: 'Facilitators', link: '/facilitator' },
    ],
    outline: [2, 3],
    search: { provider: 'local' },
    // What the step pages list under "What to edit", from the manifest.
    steps: steps.steps,
  },
});
