// The network lab every real-component test stands on (test/helpers/lab.ts) promises that what a
// test makes — namespaces, processes in them — is removed by name and PID however the test ends.
// Here a separate process makes a lab and is then stopped the ways a run really ends: a signal
// (Ctrl-C, a CI timeout), or SIGKILL, which no handler sees (the next lab sweeps it away).
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tmp } from "./helpers/clusters";

const LAB = join(__dirname, "helpers", "lab.ts");

const namespaces = () =>
  (spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "")
    .split("\n")
    .map((l) => l.split(" ")[0] as string)
    .filter(Boolean);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A process holding a lab with one machine running `sleep`; resolves once both exist. */
async function holder(dir: string) {
  const program = `
    const { Lab } = require(${JSON.stringify(LAB)});
    const lab = new Lab(${JSON.stringify(dir)}, "t");
    const ns = lab.machine("m", "10.99.0.2/24");
    const p = lab.start("sleeper", ns, ["sleep", "600"], { PATH: process.env.PATH });
    console.log(JSON.stringify({ pid: p.pid, namespaces: lab.namespaces }));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", program], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0] as string);
    });
    child.once("exit", (code) => reject(new Error(`the lab process ended early (exit ${code})`)));
  });
  const made = JSON.parse(line) as { pid: number; namespaces: string[] };
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_c, sig) => resolve(sig)));
  return { child, exited, ...made };
}

describe("the test lab", () => {
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    it(`removes its namespaces and processes when its process gets ${signal}, and the process still dies of it`, async () => {
      const work = tmp("slipway-lab-");
      try {
        const h = await holder(work.dir);
        expect(namespaces()).toEqual(expect.arrayContaining(h.namespaces));
        expect(alive(h.pid)).toBe(true);
        h.child.kill(signal);
        expect(await h.exited).toBe(signal);
        for (const ns of h.namespaces) expect(namespaces(), ns).not.toContain(ns);
        await expect.poll(() => alive(h.pid), { timeout: 5000 }).toBe(false);
      } finally {
        work.cleanup();
      }
    });

  it("a lab whose process was SIGKILLed is swept away by the next lab", async () => {
    const work = tmp("slipway-lab-");
    try {
      const h = await holder(work.dir);
      h.child.kill("SIGKILL");
      await h.exited;
      // nothing ran in the dead process: its namespaces are still there…
      expect(namespaces()).toEqual(expect.arrayContaining(h.namespaces));
      // …but its processes died with it (the kernel's parent-death signal, set by the lab)
      await expect.poll(() => alive(h.pid), { timeout: 5000 }).toBe(false);
      // …and the next lab to start sweeps the namespaces away
      const next = await holder(work.dir);
      for (const ns of h.namespaces) expect(namespaces(), ns).not.toContain(ns);
      next.child.kill("SIGTERM");
      await next.exited;
    } finally {
      work.cleanup();
    }
  });
});
