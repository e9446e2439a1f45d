// Regenerates docs/errors.md from the error registry: `npm run docs:errors`.
import { writeFileSync } from 'node:fs';
import { renderErrorsMarkdown } from '../packages/protocol/src/errors-doc.ts';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsMarkdown());
