// Saving a benchmark's results: bench/results/<date>-<name>.json and .md, each with the date, the
// machine and the command that produced them. Shared by run.js, governance.js and quality.js.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';

export const date = new Date().toISOString().slice(0, 10);
export const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;

/** Writes `{ date, machine, command, ...payload }` as JSON and `markdown` under a header, and prints the markdown. */
export async function saveResults(name, command, payload, markdown) {
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  const base = new URL(`./results/${date}-${name}`, import.meta.url);
  await writeFile(new URL(base.href + '.json'), JSON.stringify({ date, machine, command, ...payload }, null, 2) + '\n');
  await writeFile(new URL(base.href + '.md'), `# ${name} (${date})\n\nMachine: ${machine}\n\nCommand: \`${command}\`\n\n${markdown}\n`);
  console.log(markdown + '\n');
}
