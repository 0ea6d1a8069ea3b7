// Child process for the atomic-write test: rewrites one file forever, alternating two contents,
// until it is killed. argv: <target> <fileA> <fileB>
import fs from 'node:fs';
import { writeFileAtomic } from '../../src/util/atomic.ts';

const [target, a, b] = process.argv.slice(2);
const contents = [fs.readFileSync(a), fs.readFileSync(b)];
process.stdout.write('ready\n');
for (let i = 0; ; i++) writeFileAtomic(target, contents[i % 2]);
