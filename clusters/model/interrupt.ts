// Ctrl-C or a CI job's SIGTERM in the middle of a synthesis, a build or an upload: stop the running
// tools, undo what is half done (scratch folders, loop devices, a half-uploaded image), say so in
// one line, and exit 130/143. One handler for the process; commands register their undo while
// they run.

type Undo = () => void | Promise<void>;

const undos: Undo[] = [];
const first: (() => void)[] = [];

/** Runs `fn` first when the process is interrupted (e.g. to stop child processes). */
export function onInterrupt(fn: () => void): void {
  if (!first.includes(fn)) first.push(fn);
}
let installed = false;
let stopping = false;

/** Whether an interrupt is being handled (the process is about to exit). */
export function interrupted(): boolean {
  return stopping;
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\nslipway: interrupted (${signal}); cleaning up\n`);
  for (const f of first) f();
  for (const undo of undos.reverse()) {
    try {
      await undo();
    } catch (e) {
      process.stderr.write(`slipway: cleanup: ${(e as Error).message}\n`);
    }
  }
  process.exit(signal === "SIGINT" ? 130 : 143);
}

/** Runs `undo` if the process is interrupted while `work` runs. */
export async function whileInterruptible<T>(undo: Undo, work: () => Promise<T>): Promise<T> {
  if (!installed) {
    installed = true;
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
  }
  undos.push(undo);
  try {
    return await work();
  } finally {
    const i = undos.indexOf(undo);
    if (i >= 0) undos.splice(i, 1);
  }
}

/**
 * Runs `work`, then always `undo` (synchronous: it must also work from an 'exit' handler) —
 * after success, failure, an interrupt, or a crash that ends the process.
 */
export async function withCleanup<T>(undo: () => void, work: () => Promise<T>): Promise<T> {
  process.once("exit", undo);
  try {
    return await whileInterruptible(undo, work);
  } finally {
    undo();
    process.removeListener("exit", undo);
  }
}

/**
 * Lets a signal that arrived during synchronous work (Node handles signals between turns of its
 * event loop) run its handler now, before anything is committed.
 */
export function signalsNow(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
