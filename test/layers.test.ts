// The layers of the tree, and the one direction imports may flow in:
//
//   model      clusters/model/ and every cloud's descriptor (stacks/<cloud>/cloud.ts, its addons cloud-addons.ts)
//   bootstrap  bootstrap/   (node configs)         images/  (the image builder)
//   stacks     stacks/      (CDKTF)
//   bin        bin/         (the CLI)
//
// model ← bootstrap ← stacks ← bin, and images beside bootstrap (model only). One cloud's stack
// never imports another's. The model and bootstrap never load cdktf or a provider package (so
// `slipway validate` and `render` stay fast and cloud-free).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/clusters";

type Layer = "model" | "bootstrap" | "images" | "stacks" | "bin";

const MAY_IMPORT: Record<Layer, Layer[]> = {
  model: ["model"],
  bootstrap: ["model", "bootstrap"],
  images: ["model", "images"],
  stacks: ["model", "bootstrap", "stacks"],
  bin: ["model", "bootstrap", "images", "stacks", "bin"],
};

function layerOf(file: string): Layer | undefined {
  if (file.startsWith("clusters/model/") || /^stacks\/[^/]+\/cloud(-addons)?\.ts$/.test(file)) return "model";
  for (const l of ["bootstrap", "images", "stacks", "bin"] as const) if (file.startsWith(`${l}/`)) return l;
  return undefined;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith("stacks/openstack/gen/"));
}

/** Every import of a file: relative ones resolved to repository paths, packages by name. */
function importsOf(file: string, text = readFileSync(join(ROOT, file), "utf8")): { local: string[]; packages: string[] } {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^"';]*?from\s*["']([^"']+)["']|require\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
  const local: string[] = [];
  const packages: string[] = [];
  for (const s of specs) {
    if (s.startsWith(".")) {
      const p = normalize(join(dirname(file), s));
      local.push(p.endsWith(".ts") || p.endsWith(".json") || p.endsWith(".cjs") ? p : `${p}.ts`);
    } else packages.push(s);
  }
  return { local, packages };
}

/** Imports against the direction, as "file → import (layer → layer)". */
function violations(files: { file: string; text?: string }[]): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    const from = layerOf(file);
    if (!from) continue;
    const { local, packages } = importsOf(file, text);
    for (const target of local) {
      const to = layerOf(target);
      if (!to) continue; // package.json, data files
      if (!MAY_IMPORT[from].includes(to)) out.push(`${file} → ${target} (${from} may not import ${to})`);
      const cloudOf = (f: string) => /^stacks\/(openstack|aws|[a-z0-9]+)\//.exec(f)?.[1];
      const a = cloudOf(file);
      const b = cloudOf(target);
      if (a && b && a !== b && from !== "model") out.push(`${file} → ${target} (one cloud's stack imports another's)`);
    }
    if (from === "model" || from === "bootstrap" || from === "images")
      for (const p of packages)
        if (/^(cdktf|constructs|@cdktf\/)/.test(p)) out.push(`${file} → ${p} (${from} must not load cdktf or a provider)`);
  }
  return out;
}

describe("layers", () => {
  const files = ["clusters", "bootstrap", "images", "stacks", "bin"].flatMap(sources).map((file) => ({ file }));

  it("every source file belongs to a layer", () => {
    expect(files.filter((f) => !layerOf(f.file))).toEqual([]);
    expect(files.length).toBeGreaterThan(80);
  });

  it("imports flow one way: model ← bootstrap ← stacks ← bin, images beside bootstrap", () => {
    expect(violations(files)).toEqual([]);
  });

  it("the check catches an import against the direction, a cross-cloud import and cdktf in the model", () => {
    expect(
      violations([
        { file: "clusters/model/plan.ts", text: 'import { x } from "../../stacks/firewall";' },
        { file: "bootstrap/parts/api-lb.ts", text: 'import { PORTS } from "../../stacks/firewall";' },
        { file: "images/build.ts", text: 'import { sysextPath } from "../bootstrap/versions";' },
        { file: "stacks/aws/pools.ts", text: 'import { workerPool } from "../openstack/pools";' },
        { file: "clusters/model/load.ts", text: 'import { App } from "cdktf";' },
        { file: "stacks/openstack/cloud.ts", text: 'import { image } from "./image";' },
      ]),
    ).toEqual([
      "clusters/model/plan.ts → stacks/firewall.ts (model may not import stacks)",
      "bootstrap/parts/api-lb.ts → stacks/firewall.ts (bootstrap may not import stacks)",
      "images/build.ts → bootstrap/versions.ts (images may not import bootstrap)",
      "stacks/aws/pools.ts → stacks/openstack/pools.ts (one cloud's stack imports another's)",
      "clusters/model/load.ts → cdktf (model must not load cdktf or a provider)",
      "stacks/openstack/cloud.ts → stacks/openstack/image.ts (model may not import stacks)",
    ]);
  });
});
