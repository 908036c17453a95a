// Checks synthesized Terraform JSON against a provider schema in `terraform providers schema -json`
// format — what `terraform validate` would check if the provider plugin could be downloaded:
// known types, known attributes and blocks, required ones present, no computed-only attribute set,
// value types where the value is a literal, block nesting and item counts, lifecycle names, and
// that every reference to a resource of this provider names an existing resource and attribute.
import { readFileSync } from "node:fs";
import { join } from "node:path";

type AttrType = string | [string, AttrType] | ["object", Record<string, AttrType>];
interface Attribute {
  type: AttrType;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
}
interface Block {
  attributes?: Record<string, Attribute>;
  block_types?: Record<
    string,
    { nesting_mode: "single" | "list" | "set" | "map" | "group"; block: Block; min_items?: number; max_items?: number }
  >;
}
export interface ProviderSchema {
  provider: { block: Block };
  resource_schemas: Record<string, { block: Block }>;
  data_source_schemas: Record<string, { block: Block }>;
}

export function loadOpenstackSchema(): ProviderSchema {
  const file = join(__dirname, "..", "..", "stacks", "openstack", "bindings", "provider-schema.json");
  const all = JSON.parse(readFileSync(file, "utf8")) as { provider_schemas: Record<string, ProviderSchema> };
  const s = all.provider_schemas["registry.terraform.io/terraform-provider-openstack/openstack"];
  if (!s) throw new Error("provider-schema.json has no openstack provider");
  return s;
}

const META = new Set(["//", "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"]);
const isExpr = (v: unknown) => typeof v === "string" && v.includes("${");

function checkType(t: AttrType, v: unknown, at: string, out: string[]): void {
  if (isExpr(v)) return; // a Terraform expression: typed by Terraform at plan time
  if (typeof t === "string") {
    const ok =
      t === "string" ? typeof v === "string" : t === "number" ? typeof v === "number" : t === "bool" ? typeof v === "boolean" : true;
    if (!ok) out.push(`${at}: expected ${t}, got ${JSON.stringify(v)}`);
    return;
  }
  const [kind, inner] = t;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(v)) return void out.push(`${at}: expected ${kind}, got ${JSON.stringify(v)}`);
    for (const [i, x] of v.entries()) checkType(inner as AttrType, x, `${at}[${i}]`, out);
  } else if (kind === "map") {
    if (!v || typeof v !== "object" || Array.isArray(v)) return void out.push(`${at}: expected map, got ${JSON.stringify(v)}`);
    for (const [k, x] of Object.entries(v)) checkType(inner as AttrType, x, `${at}.${k}`, out);
  } else if (kind === "object") {
    if (!v || typeof v !== "object") return void out.push(`${at}: expected object`);
    const fields = inner as Record<string, AttrType>;
    for (const [k, x] of Object.entries(v)) {
      const ft = fields[k];
      if (!ft) out.push(`${at}.${k}: unknown object field`);
      else checkType(ft, x, `${at}.${k}`, out);
    }
  }
}

function checkBlock(block: Block, body: Record<string, unknown>, at: string, out: string[], meta: boolean): void {
  const attrs = block.attributes ?? {};
  const blocks = block.block_types ?? {};
  for (const [k, v] of Object.entries(body)) {
    if (meta && META.has(k)) continue;
    if (v === null || v === undefined) continue;
    const a = attrs[k];
    const b = blocks[k];
    if (a) {
      if (!a.optional && !a.required) out.push(`${at}.${k}: computed-only attribute cannot be set`);
      checkType(a.type, v, `${at}.${k}`, out);
    } else if (b) {
      const items: unknown[] = b.nesting_mode === "single" || b.nesting_mode === "group" ? [v] : Array.isArray(v) ? v : [v];
      if ((b.nesting_mode === "list" || b.nesting_mode === "set") && !Array.isArray(v) && !isExpr(v))
        out.push(`${at}.${k}: block must be a list of objects`);
      if (b.min_items !== undefined && items.length < b.min_items) out.push(`${at}.${k}: needs at least ${b.min_items} block(s)`);
      if (b.max_items !== undefined && items.length > b.max_items) out.push(`${at}.${k}: allows at most ${b.max_items} block(s)`);
      for (const [i, item] of items.entries()) {
        if (isExpr(item)) continue;
        if (!item || typeof item !== "object" || Array.isArray(item)) out.push(`${at}.${k}[${i}]: block must be an object`);
        else checkBlock(b.block, item as Record<string, unknown>, `${at}.${k}[${i}]`, out, false);
      }
    } else out.push(`${at}.${k}: unknown attribute or block`);
  }
  for (const [k, a] of Object.entries(attrs))
    if (a.required && (body[k] === undefined || body[k] === null)) out.push(`${at}.${k}: required attribute missing`);
  for (const [k, b] of Object.entries(blocks))
    if ((b.min_items ?? 0) > 0 && body[k] === undefined) out.push(`${at}.${k}: required block missing`);
}

/** Every attribute name a block may carry, including nested blocks' (for lifecycle and references). */
function allNames(block: Block): Set<string> {
  return new Set([...Object.keys(block.attributes ?? {}), ...Object.keys(block.block_types ?? {}), "id"]);
}

interface TfJson {
  provider?: Record<string, unknown[]>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
  locals?: Record<string, unknown>;
}

export function checkAgainstSchema(tf: TfJson, schema: ProviderSchema, prefix = "openstack_"): string[] {
  const out: string[] = [];
  for (const p of tf.provider?.openstack ?? [])
    checkBlock(schema.provider.block, p as Record<string, unknown>, "provider.openstack", out, true);

  const kinds = [
    { section: tf.resource ?? {}, schemas: schema.resource_schemas, ref: "" },
    { section: tf.data ?? {}, schemas: schema.data_source_schemas, ref: "data." },
  ];
  for (const { section, schemas, ref } of kinds)
    for (const [type, byName] of Object.entries(section)) {
      if (!type.startsWith(prefix)) continue;
      const s = schemas[type];
      if (!s) {
        out.push(`${ref}${type}: not a ${ref ? "data source" : "resource"} type of the provider`);
        continue;
      }
      for (const [name, body] of Object.entries(byName)) {
        const at = `${ref}${type}.${name}`;
        checkBlock(s.block, body, at, out, true);
        const lc = body.lifecycle as { ignore_changes?: string[] } | undefined;
        for (const ic of lc?.ignore_changes ?? [])
          if (!allNames(s.block).has(ic)) out.push(`${at}.lifecycle.ignore_changes: unknown attribute ${ic}`);
      }
    }

  // moved blocks, as Terraform checks them: `to` is declared, `from` no longer is
  const declared = (addr: string) => {
    const [type, name] = addr.split(".") as [string, string];
    return Boolean(tf.resource?.[type]?.[name]);
  };
  for (const m of (tf as { moved?: { from: string; to: string }[] }).moved ?? []) {
    if (!m.to.startsWith(prefix) && !m.from.startsWith(prefix)) continue;
    if (!declared(m.to)) out.push(`moved to ${m.to}: no such resource in the stack`);
    if (declared(m.from)) out.push(`moved from ${m.from}: still declared (Terraform refuses the move)`);
  }

  // references: ${openstack_x.name.attr}, ${openstack_x.name[each.key].attr}, ${data.openstack_x.name.attr}
  const text = JSON.stringify({ ...tf, moved: undefined });
  const re = new RegExp(`(?<![\\w.])(data\\.)?(${prefix}[a-z0-9_]+)\\.([A-Za-z0-9_-]+)(?:\\[[^\\]]*\\])?(?:\\.([a-z0-9_]+))?`, "g");
  for (const m of text.matchAll(re)) {
    const [whole, data, type, name, attr] = m as unknown as [string, string | undefined, string, string, string | undefined];
    const section = data ? tf.data : tf.resource;
    const schemas = data ? schema.data_source_schemas : schema.resource_schemas;
    if (!section?.[type]?.[name]) {
      out.push(`reference ${whole}: no such ${data ? "data source" : "resource"} in the stack`);
      continue;
    }
    const s = schemas[type];
    if (attr && s && !allNames(s.block).has(attr)) out.push(`reference ${whole}: ${type} has no attribute ${attr}`);
  }
  return [...new Set(out)];
}
