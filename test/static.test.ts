// Static checks run with the suite, so CI enforces them: the TypeScript compiler, Biome's linter
// and formatter, and the rule that provider packages are only ever deep-imported.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tmp } from "./helpers/clusters";

const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000 });

describe("static checks", () => {
  it("typechecks (tsc --noEmit, strict)", () => {
    const r = run(bin("tsc"), ["-p", "."]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("passes biome lint and format", () => {
    const r = run(bin("biome"), ["check", "."]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("never imports a provider package's barrel", () => {
    const barrel = `from ["']@cdktf/provider-(aws|cloudflare|tls)["']|require\\(["']@cdktf/provider-(aws|cloudflare|tls)["']\\)`;
    const r = run("grep", ["-rnE", "--include=*.ts", barrel, "stacks", "bootstrap", "images", "bin", "test"]);
    expect(r.stdout).toBe("");
  });

  it("the committed OpenStack bindings are exactly what `npm run gen:openstack` generates", () => {
    const t = tmp("slipway-gen-");
    try {
      const out = join(t.dir, "gen");
      const r = run(process.execPath, ["--import", "tsx", "stacks/openstack/bindings/generate.ts", "--out", out]);
      expect(r.status, r.stderr).toBe(0);
      const diff = run("diff", ["-r", out, join(ROOT, "stacks/openstack/gen")]);
      expect(diff.stdout).toBe("");
      expect(diff.status).toBe(0);
    } finally {
      t.cleanup();
    }
  });
});
