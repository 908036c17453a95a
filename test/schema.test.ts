// The JSON Schema editors show (clusters/cluster.schema.json, from clusters/model/schema.ts): one
// composition of the common fragments and each cloud's own fields, so both clouds describe every
// field — no field without help for either.
import { describe, expect, it } from "vitest";
import { clusterJsonSchema } from "../clusters/model/schema";

type Node = {
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
  oneOf?: Node[];
  anyOf?: Node[];
};

/** Every property in the schema, with its path and whether it has a description. */
function fields(n: Node, path = ""): { path: string; described: boolean }[] {
  const out: { path: string; described: boolean }[] = [];
  for (const [k, v] of Object.entries(n.properties ?? {})) {
    const p = path ? `${path}.${k}` : k;
    out.push({ path: p, described: typeof v.description === "string" && v.description.length > 10 }, ...fields(v, p));
  }
  if (n.items) out.push(...fields(n.items, `${path}[]`));
  if (n.additionalProperties && typeof n.additionalProperties === "object") out.push(...fields(n.additionalProperties, `${path}{}`));
  for (const alt of [...(n.oneOf ?? []), ...(n.anyOf ?? [])]) out.push(...fields(alt, path));
  return out;
}

describe("cluster file JSON Schema", () => {
  const schema = clusterJsonSchema() as Node;
  const all = fields(schema);

  it("describes every field of every cloud", () => {
    expect(all.length).toBeGreaterThan(80);
    expect(all.filter((f) => !f.described).map((f) => f.path)).toEqual([]);
  });

  it("has both clouds' machine fields (the common fragment composed into each)", () => {
    const paths = new Set(all.map((f) => f.path));
    for (const p of [
      "adminCidrs",
      "etcd.count",
      "etcd.preventDestroy",
      "masters.count",
      "workers[].name",
      "workers[].count",
      "pki.renewBeforeDays",
    ])
      expect(paths.has(p), p).toBe(true);
    const clouds = (schema.oneOf ?? schema.anyOf ?? []).map((c) => c.properties ?? {});
    expect(clouds).toHaveLength(2);
    for (const c of clouds)
      for (const f of ["name", "adminCidrs", "kubernetes", "network", "etcd", "masters", "workers", "dns", "backend", "pki"])
        expect(c[f]?.description, f).toBeTruthy();
  });
});
