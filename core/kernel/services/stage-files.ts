import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StageFiles } from '../contract/context.js';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic.js';

export function stageFiles(dir: string): StageFiles {
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    path: (name) => join(dir, name),
    writeJson: (name, value) => writeJsonAtomic(join(dir, name), value),
    writeText: (name, text) => writeFileAtomic(join(dir, name), text),
  };
}
