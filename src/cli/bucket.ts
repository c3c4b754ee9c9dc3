/**
 * `promfed tools bucket ls|inspect|verify --objstore.config[-file]=…`: Thanos's `thanos tools bucket` for
 * the blocks in a bucket. This file only wires flags to src/bucket-tools and chooses output streams and exit
 * codes: 0 done; 1 a block has a problem (verify) or the bucket could not be read; 2 bad flags or objstore
 * config. Data goes to stdout, warnings about blocks skipped from a listing to stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  byTime,
  inspectJson,
  inspectRow,
  INSPECT_COLUMNS,
  jsonLine,
  listBlocks,
  renderTable,
  rfc3339,
  verifyBlock,
  wideLine,
  type BlockListing,
} from '../bucket-tools/index.js';
import type { Bucket } from '../objstore/index.js';
import { isULID } from '../tsdb/index.js';
import { bucketFromObjstoreFlags, objstoreFlags } from './flags.js';

type Out = (s: string) => void;
const stdout: Out = (s) => void process.stdout.write(s);
const stderr: Out = (s) => void process.stderr.write(s);

export function registerBucket(tools: Command): void {
  const bucket = tools.command('bucket').description('blocks in object storage: ls, inspect, verify');

  const ls = bucket.command('ls').description('list the blocks (ULIDs), saying which are marked for deletion');
  objstoreFlags(ls)
    .addOption(new Option('-o, --output <format>', 'output: "" (one ULID per line), json (meta.json per line), wide').choices(['', 'json', 'wide']).default(''))
    .option('--exclude-delete', 'leave out blocks marked for deletion', false)
    .action((o: Record<string, unknown>) => withBucket(o, (b) => runLs(b, o.output as string, o.excludeDelete === true)));

  const inspect = bucket.command('inspect').description('a table of the blocks sorted by time: range, series, samples, chunks, labels, resolution');
  objstoreFlags(inspect)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'tsv', 'json']).default('table'))
    .action((o: Record<string, unknown>) => withBucket(o, (b) => runInspect(b, o.output as string)));

  const verify = bucket.command('verify').description('check index and chunk integrity of blocks; exit code 1 when any block has a problem');
  objstoreFlags(verify)
    .option('--id <ulid>', 'verify only this block (repeatable); every block by default', collectULID)
    .action((o: Record<string, unknown>) => withBucket(o, (b) => runVerify(b, o.id as string[] | undefined)));

  bucket.action(() => {
    bucket.outputHelp();
    process.exitCode = 2;
  });
}

function collectULID(value: string, previous: string[] = []): string[] {
  if (!isULID(value)) throw new InvalidArgumentError(`not a block ULID: ${JSON.stringify(value)}`);
  return [...previous, value];
}

async function withBucket(o: Record<string, unknown>, fn: (b: Bucket) => Promise<number>): Promise<void> {
  const b = await bucketFromObjstoreFlags(o);
  try {
    process.exitCode = await fn(b);
  } finally {
    await b.close();
  }
}

/** Blocks left out of a listing, said once each on stderr. */
function warnSkipped(l: BlockListing, err: Out): void {
  for (const id of l.partial) err(`promfed: ${id}: no meta.json (partial upload?), skipped\n`);
  for (const { id, error } of l.broken) err(`promfed: ${id}: ${error}, skipped\n`);
}

export async function runLs(b: Bucket, output: string, excludeDelete: boolean, out = stdout, err = stderr): Promise<number> {
  const listing = await listBlocks(b);
  warnSkipped(listing, err);
  const blocks = listing.blocks.filter((x) => !(excludeDelete && x.deletionMark));
  for (const x of blocks) {
    if (output === 'json') out(jsonLine(x) + '\n');
    else if (output === 'wide') out(wideLine(x) + '\n');
    else {
      // IDs alone on stdout so they can be piped; the mark goes beside them on stderr.
      out(x.id + '\n');
      if (x.deletionMark) err(`promfed: ${x.id}: marked for deletion at ${rfc3339(x.deletionMark.deletionTime * 1000)}\n`);
    }
  }
  return 0;
}

export async function runInspect(b: Bucket, output: string, out = stdout, err = stderr): Promise<number> {
  const listing = await listBlocks(b);
  warnSkipped(listing, err);
  const blocks = listing.blocks.slice().sort(byTime);
  if (output === 'json') out(JSON.stringify(blocks.map(inspectJson), null, 2) + '\n');
  else if (output === 'tsv') out([INSPECT_COLUMNS.join('\t'), ...blocks.map((x) => inspectRow(x, true).join('\t'))].join('\n') + '\n');
  else out(renderTable(INSPECT_COLUMNS, blocks.map((x) => inspectRow(x, false))));
  return 0;
}

export async function runVerify(b: Bucket, ids: string[] | undefined, out = stdout, err = stderr): Promise<number> {
  let todo = ids;
  if (todo === undefined) {
    const listing = await listBlocks(b);
    for (const id of listing.partial) err(`promfed: ${id}: no meta.json (partial upload?), not verified\n`);
    // A block whose meta.json is broken is verified too: that is one of its problems.
    todo = [...listing.blocks.map((x) => x.id), ...listing.broken.map((x) => x.id)].sort();
  }
  const scratchDir = await mkdtemp(join(tmpdir(), 'promfed-verify-'));
  let failed = 0;
  try {
    for (const id of todo) {
      const report = await verifyBlock(b, id, { scratchDir });
      out(report.text());
      if (!report.ok) failed++;
    }
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
  out(`verified ${todo.length} block${todo.length === 1 ? '' : 's'}: ${todo.length - failed} ok, ${failed} with problems\n`);
  return failed > 0 ? 1 : 0;
}
