// Ctrl-C or a CI job's SIGTERM in the middle of a build or an upload: stop the running tool, undo
// what is half done (unmount, detach, delete scratch files, delete a half-uploaded image), say so,
// and exit 130/143. One handler at a time; the commands register their undo while they run.
import { killTools } from "./tools";

type Undo = () => void | Promise<void>;

const undos: Undo[] = [];
let installed = false;
let stopping = false;

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\nslipway: interrupted (${signal}); cleaning up\n`);
  killTools();
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
