// Upload benchmark (part of npm run bench): a 1 GiB file of random bytes uploaded to a local
// Glance (real Keystone + Glance on 127.0.0.1, as the tests run them) by `slipway image upload`
// and by `curl -T` into an image created the same way, alternating, RUNS times each. Reported:
// curl's throughput (PUT only), slipway's throughput for its PUT (as it logs it) and for the
// whole command (node start, Keystone, Glance lookups, create, verify), and slipway's peak RSS.
// Target: slipway's transfer ≥ 90 % of curl's, peak memory < 150 MiB.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startOpenStack } from "../helpers/openstack";

const ROOT = join(__dirname, "..", "..");
const GiB = 1024 ** 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function uploadBench(runs: number): Promise<boolean> {
  const work = mkdtempSync(join(tmpdir(), "slipway-upload-bench-"));
  const os = await startOpenStack(join(work, "openstack"));
  try {
    const file = join(work, "1GiB.raw");
    spawnSync("sh", ["-c", `head -c ${GiB} /dev/urandom > ${file}`]);
    const env = {
      ...process.env,
      OS_CLOUD: "",
      OS_AUTH_URL: os.authUrl,
      OS_USERNAME: os.demo.username,
      OS_PASSWORD: os.demo.password,
      OS_PROJECT_NAME: os.demo.project,
      OS_REGION_NAME: "RegionOne",
    };
    const demoToken = async () => {
      const r = await fetch(`${os.authUrl}/auth/tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ["password"],
              password: { user: { name: os.demo.username, domain: { id: "default" }, password: os.demo.password } },
            },
            scope: { project: { name: os.demo.project, domain: { id: "default" } } },
          },
        }),
      });
      return r.headers.get("x-subject-token") as string;
    };
    const remove = async (id: string) => {
      await fetch(`${os.glanceUrl}/v2/images/${id}`, { method: "DELETE", headers: { "X-Auth-Token": await os.adminToken() } });
    };

    const curl: number[] = [];
    const slipTransfer: number[] = [];
    const slipWhole: number[] = [];
    let rss = 0;
    for (let i = 0; i < runs; i++) {
      // curl: create the image with the API, then time the PUT of the data
      const token = await demoToken();
      const created = await fetch(`${os.glanceUrl}/v2/images`, {
        method: "POST",
        headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
        body: JSON.stringify({ name: `bench-curl-${i}`, disk_format: "raw", container_format: "bare" }),
      });
      const id = ((await created.json()) as { id: string }).id;
      const t0 = process.hrtime.bigint();
      const c = spawnSync("curl", [
        "-sS",
        "-f",
        "-T",
        file,
        "-H",
        `X-Auth-Token: ${token}`,
        "-H",
        "Content-Type: application/octet-stream",
        "-H",
        "Expect:",
        `${os.glanceUrl}/v2/images/${id}/file`,
      ]);
      const curlS = Number(process.hrtime.bigint() - t0) / 1e9;
      if (c.status !== 0) throw new Error(`curl upload failed: ${c.stderr}`);
      curl.push(GiB / 1048576 / curlS);
      await remove(id);

      // slipway: the whole command, with its peak memory
      const s0 = process.hrtime.bigint();
      const s = spawnSync(
        process.execPath,
        ["-r", join(__dirname, "rusage.cjs"), join(ROOT, "bin", "slipway.js"), "image", "upload", file, "--name", `bench-slipway-${i}`],
        {
          env,
          encoding: "utf8",
        },
      );
      const wholeS = Number(process.hrtime.bigint() - s0) / 1e9;
      const rate = /\(([\d.]+) MiB\/s\), SHA-512 verified/.exec(s.stderr);
      const m = /SLIPWAY_RUSAGE (\{.*\})/.exec(s.stderr);
      if (s.status !== 0 || !rate || !m) throw new Error(`slipway upload failed:\n${s.stderr}`);
      slipTransfer.push(Number(rate[1]));
      slipWhole.push(GiB / 1048576 / wholeS);
      rss = Math.max(rss, (JSON.parse(m[1] as string) as { maxRssKiB: number }).maxRssKiB / 1024);
      await remove(s.stdout.trim());
    }

    const c = median(curl);
    const t = median(slipTransfer);
    const w = median(slipWhole);
    console.log(`\nupload of 1 GiB to a local Glance (Keystone auth, file store) — median of ${runs} runs each, alternating\n`);
    console.log(`curl -T (PUT only)                       ${c.toFixed(0).padStart(6)} MiB/s`);
    console.log(`slipway image upload, transfer (PUT)     ${t.toFixed(0).padStart(6)} MiB/s   ${((t / c) * 100).toFixed(0)} % of curl`);
    console.log(`slipway image upload, whole command      ${w.toFixed(0).padStart(6)} MiB/s   ${((w / c) * 100).toFixed(0)} % of curl`);
    console.log(`slipway peak memory (RSS)                ${rss.toFixed(0).padStart(6)} MiB`);
    const ok = t >= 0.9 * c && rss < 150;
    console.log(`target transfer ≥ 90 % of curl and < 150 MiB: ${ok ? "met" : "MISSED"}`);
    return ok;
  } finally {
    await os.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
