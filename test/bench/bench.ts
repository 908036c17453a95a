// npm run bench — (1) synthesis wall time and peak memory of the demo and of clusters with 30, 300 and
// 1,000 workers, each beside an empty cdktf app synthesized in the same run. Every number is the
// median of RUNS runs of a fresh process (what an operator or CI pays), peak RSS is the maximum.
// Target: 3 etcd + 3 masters + 1,000 workers in ≤ 3 s and ≤ 300 MiB on 2 cores, growing linearly.
// (2) image upload to a local Glance against curl (upload.ts). BENCH=synth or BENCH=upload runs one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { uploadBench } from "./upload";

const ROOT = join(__dirname, "..", "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
let work = "";

interface Sample {
  wallMs: number;
  rssMiB: number;
}

function measure(args: string[]): Sample {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-r", join(__dirname, "rusage.cjs"), ...args], { cwd: ROOT, encoding: "utf8" });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /SLIPWAY_RUSAGE (\{.*\})/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`benchmark run failed: ${args.join(" ")}\n${r.stderr}`);
  return { wallMs, rssMiB: (JSON.parse(m[1] as string) as { maxRssKiB: number }).maxRssKiB / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function series(args: () => string[]): Sample {
  const samples = Array.from({ length: RUNS }, () => measure(args()));
  return { wallMs: median(samples.map((s) => s.wallMs)), rssMiB: Math.max(...samples.map((s) => s.rssMiB)) };
}

function clusterFile(workers: number): string {
  const f = join(work, `workers-${workers}.yaml`);
  writeFileSync(
    f,
    stringify({
      name: `bench${workers}`,
      cloud: "openstack",
      adminCidrs: ["192.0.2.0/24"],
      network: { nodes: "10.0.0.0/16", pods: "10.128.0.0/12", services: "10.96.0.0/16" },
      etcd: { count: 3 },
      masters: { count: 3 },
      workers: [{ name: "general", count: workers, maxCount: 1024 }],
    }),
  );
  return f;
}

const cases = (): { name: string; file: string; workers: number }[] => [
  { name: "demo (clusters/demo-openstack.yaml)", file: join(ROOT, "clusters", "demo-openstack.yaml"), workers: 5 },
  { name: "AWS demo (clusters/demo-aws.yaml)", file: join(ROOT, "clusters", "demo-aws.yaml"), workers: 3 },
  ...[30, 300, 1000].map((n) => ({ name: `3 etcd + 3 masters + ${n} workers`, file: clusterFile(n), workers: n })),
];

function synthBench(): boolean {
  work = mkdtempSync(join(tmpdir(), "slipway-bench-"));
  try {
    let i = 0;
    const rows = cases().map((c) => {
      const out = () => join(work, `out-${i++}`);
      const slip = series(() => [join(ROOT, "bin", "slipway.js"), "synth", c.file, "--out", out()]);
      const empty = series(() => [join(__dirname, "empty-app.cjs"), out()]);
      return { ...c, slip, empty };
    });

    const pad = (s: string, n: number) => s.padEnd(n);
    const num = (x: number, d = 0) => x.toFixed(d).padStart(7);
    console.log(
      `\nslipway synth — median of ${RUNS} runs, fresh process each, node ${process.version}, ${require("node:os").cpus().length} cores\n`,
    );
    console.log(
      `${pad("cluster", 36)}  ${"wall ms".padStart(7)}  ${"RSS MiB".padStart(7)}  │  ${"empty ms".padStart(8)}  ${"RSS MiB".padStart(7)}  │  ${"over empty".padStart(10)}`,
    );
    console.log("─".repeat(100));
    for (const r of rows)
      console.log(
        `${pad(r.name, 36)}  ${num(r.slip.wallMs)}  ${num(r.slip.rssMiB)}  │  ${num(r.empty.wallMs).padStart(8)}  ${num(r.empty.rssMiB)}  │  ${num(r.slip.wallMs - r.empty.wallMs).padStart(7)} ms`,
      );
    const w = rows.slice(2);
    const a = w[1] as (typeof rows)[number];
    const b = w[2] as (typeof rows)[number];
    const perWorker = (b.slip.wallMs - a.slip.wallMs) / (b.workers - a.workers);
    console.log(
      `\ngrowth 300 → 1,000 workers: ${(perWorker * 1000).toFixed(1)} µs and ${(((b.slip.rssMiB - a.slip.rssMiB) / (b.workers - a.workers)) * 1024).toFixed(1)} KiB per worker`,
    );
    const ok = b.slip.wallMs <= 3000 && b.slip.rssMiB <= 300;
    console.log(
      `target 1,000 workers ≤ 3,000 ms and ≤ 300 MiB: ${ok ? "met" : "MISSED"} (${b.slip.wallMs.toFixed(0)} ms, ${b.slip.rssMiB.toFixed(0)} MiB)`,
    );
    return ok;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

(async () => {
  const only = process.env.BENCH;
  const synthOk = only === "upload" ? true : synthBench();
  const uploadOk = only === "synth" ? true : await uploadBench(Number(process.env.BENCH_UPLOAD_RUNS ?? 3));
  process.exitCode = synthOk && uploadOk ? 0 : 1;
})();
