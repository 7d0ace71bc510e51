// Which problems a warm process holds compiled, seen from crucible. A problem's tests travel to a process only the
// first time it needs them; afterwards a job names the problem by key. The process keeps the last `slots` problems
// (least recently used first) and so does this mirror: both sides see the same ordered stream of jobs, and the
// process is told `slots` in its init object, so their lists stay identical.
export class ProblemMirror {
  /** Keys of the problems the process holds, least recently used first. */
  private readonly keys: string[] = [];

  constructor(readonly slots: number) {}

  /** Records a job for `key`; true when the process already held it (the job names it), false when it must be sent. */
  use(key: string): boolean {
    const held = this.keys.indexOf(key);
    if (held >= 0) this.keys.splice(held, 1);
    else if (this.keys.length >= this.slots) this.keys.shift();
    this.keys.push(key);
    return held >= 0;
  }
}
