// The cloud registry (clusters/model/clouds.ts): every cloud is one typed descriptor, and a cloud
// whose descriptor or stack is incomplete does not build — proved by adding one to a copy of the
// project and running the compiler on it. And shared code asks descriptors, never `cloud === …`.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLOUDS } from "../clusters/model/clouds";
import { ROOT, tmp } from "./helpers/clusters";
import { copyProject } from "./helpers/run";

const work = tmp("slipway-clouds-");
afterAll(() => work.cleanup());

function tsc(dir: string): { code: number; output: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describe("cloud registry", () => {
  it("has a descriptor per cloud, keyed by its own name", () => {
    for (const [key, d] of Object.entries(CLOUDS)) expect(d.name).toBe(key);
  });

  it("a new cloud with an incomplete descriptor is refused by the compiler; the real tree compiles", () => {
    const copy = copyProject(join(work.dir, "project"));
    writeFileSync(join(copy, "tsconfig.json"), readFileSync(join(ROOT, "tsconfig.json"), "utf8").replace('"bin", "test"', '"bin"'));
    const clean = tsc(copy);
    expect(clean.code, clean.output).toBe(0);

    mkdirSync(join(copy, "stacks", "gcp"));
    writeFileSync(
      join(copy, "stacks", "gcp", "cloud.ts"),
      `import { clusterSchema } from "../../clusters/model/fragments";
export const GcpCluster = clusterSchema("gcp", {}, {});
// a descriptor someone started: schema and rules, nothing else yet
export const gcp = { name: "gcp" as const, schema: GcpCluster, ownFields: ["gcp"], rules() {} };
`,
    );
    const registry = join(copy, "clusters", "model", "clouds.ts");
    writeFileSync(
      registry,
      readFileSync(registry, "utf8")
        .replace(
          'import { openstack } from "../../stacks/openstack/cloud";',
          'import { openstack } from "../../stacks/openstack/cloud";\nimport { gcp } from "../../stacks/gcp/cloud";',
        )
        .replace("export const CLOUDS = { openstack, aws } as const;", "export const CLOUDS = { openstack, aws, gcp } as const;"),
    );
    const r = tsc(copy);
    expect(r.code).not.toBe(0);
    // the registry names what the descriptor lacks; the schema and the stacks notice the new cloud
    expect(r.output).toMatch(/clusters\/model\/clouds\.ts.*Types of property 'gcp' are incompatible/s);
    expect(r.output).toMatch(/plan|userData|devices/);
    expect(r.output).toMatch(/stacks\/registry\.ts.*Property 'gcp' is missing/s);
  });

  it("shared code never tests which cloud it is on", () => {
    const shared = ["clusters", "bootstrap", "images", "stacks", "bin"]
      .flatMap((d) => readdirSync(join(ROOT, d), { recursive: true, withFileTypes: true }).map((e) => join(e.parentPath, e.name)))
      .map((f) => relative(ROOT, f))
      .filter((f) => f.endsWith(".ts") && !/^stacks\/[^/]+\//.test(f) && f !== "clusters/model/clouds.ts");
    const offenders = shared.filter((f) =>
      /cloud\s*[!=]==\s*["']|case\s+["'](openstack|aws)["']/.test(readFileSync(join(ROOT, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
