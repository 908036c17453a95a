// The README is the user's manual: its quick start must be the two commands that work, CI must run
// the test command it names, and its reference must cover every field the schema accepts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterJsonSchema } from "../clusters/model/schema";
import { SiteFile } from "../clusters/model/site";
import { ROOT } from "./helpers/clusters";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

type Node = { properties?: Record<string, Node>; items?: Node; oneOf?: Node[]; anyOf?: Node[] };
function fieldPaths(n: Node, prefix = ""): string[] {
  const out: string[] = [];
  for (const v of [...(n.oneOf ?? []), ...(n.anyOf ?? [])]) out.push(...fieldPaths(v, prefix));
  for (const [k, v] of Object.entries(n.properties ?? {})) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p, ...fieldPaths(v, p));
  }
  if (n.items) out.push(...fieldPaths(n.items, `${prefix}[]`));
  return [...new Set(out)];
}

describe("README", () => {
  it("quick start is exactly: run the demo, run the tests", () => {
    const block = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = block
      .split("\n")
      .map((l) => l.replace(/#.*$/, "").trim())
      .filter(Boolean);
    expect(commands).toEqual(["npm ci && npm start", "npm test"]);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("node bin/slipway.js synth");
    expect(readFileSync(join(ROOT, ".ci", "run"), "utf8")).toMatch(/^npm test /m);
  });

  it("documents every field of the cluster file", () => {
    const paths = fieldPaths(clusterJsonSchema() as Node);
    expect(paths.length).toBeGreaterThan(50);
    // a field counts as documented when its full path appears in backquotes (alone or in a list
    // such as `backend.bucket`, `backend.region`); a parent is documented through its children
    const documented = (p: string) => readme.includes(`\`${p}\``) || readme.includes(`\`${p} `) || readme.includes(`${p}\` /`);
    const missing = paths.filter((p) => !documented(p) && !paths.some((q) => q.startsWith(`${p}.`) && documented(q)));
    expect(missing).toEqual([]);
  });

  it("shows a site file that is valid and uses every field a site file has", () => {
    const block = /```yaml\n# sites\/shop\.yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const parsed = SiteFile.safeParse(parse(block as string));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const keys = [...Object.keys(SiteFile.shape), "hostnames", "clusters", "live"];
    for (const k of keys) expect(block, k).toMatch(new RegExp(`^\\s*${k}:`, "m"));
  });
});
