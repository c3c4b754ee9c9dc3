/**
 * What `verify` found in one block: problems (the block is not sound; exit code 1) and notes (worth saying,
 * not wrong: e.g. a chunk no series refers to). A corrupt file can yield one problem per entry, so the
 * messages kept are capped and the rest counted: the first few say what is wrong, the count how much.
 */
export const MAX_MESSAGES = 20;

export class BlockReport {
  readonly problems: string[] = [];
  readonly notes: string[] = [];
  /** Problems found beyond MAX_MESSAGES. */
  moreProblems = 0;
  /** Facts for the summary line once the checks ran (series, chunks, samples). */
  numSeries = 0;
  numChunks = 0;
  numSamples = 0;

  constructor(readonly id: string) {}

  problem(msg: string): void {
    if (this.problems.length < MAX_MESSAGES) this.problems.push(msg);
    else this.moreProblems++;
  }

  note(msg: string): void {
    if (this.notes.length < MAX_MESSAGES) this.notes.push(msg);
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  /** Human text: `<ULID> ok (…)` or `<ULID> FAILED: n problems` and one indented line per message. */
  text(): string {
    const facts = `${this.numSeries} series, ${this.numChunks} chunks, ${this.numSamples} samples`;
    const total = this.problems.length + this.moreProblems;
    let s = this.ok ? `${this.id} ok (${facts})\n` : `${this.id} FAILED: ${total} problem${total === 1 ? '' : 's'}\n`;
    for (const p of this.problems) s += `  problem: ${p}\n`;
    if (this.moreProblems > 0) s += `  … and ${this.moreProblems} more problems\n`;
    for (const n of this.notes) s += `  note: ${n}\n`;
    return s;
  }
}
