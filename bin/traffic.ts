// `slipway traffic status|switch|rollback`: a site's public names moved between clusters by
// CNAME records in Cloudflare. The switch owns only records whose comment it wrote
// (`slipway:<site>#<n> <cluster> was <previous>`); the cluster stacks' records (Terraform's, with
// their own comments) and anything else at a name are never touched: a name holding one is refused.
// Every change carries a number; rollback undoes the records of the highest one, which is also
// how a switch halted by an error is undone. What the records say is the only state: the switch
// works the same from a laptop or a pipeline, and needs no file of its own.
import type { Site, SiteCluster, SiteRegion } from "../clusters/model/site";
import { UserError } from "./errors";
import type { Dns, DnsRecord, WantedRecord } from "./traffic-dns";
import { healthChecks } from "./traffic-gate";

/** The TTL a record is lowered to before its content changes, when its own is longer. */
export const SWITCH_TTL = 60;
const ADDRESS_TYPES = new Set(["A", "AAAA", "CNAME"]);
const NONE = "-";

export interface Owned {
  gen: number;
  cluster: string;
  was: string;
}

export function ownerComment(site: string, o: Owned): string {
  return `slipway:${site}#${o.gen} ${o.cluster} was ${o.was}`;
}

export function parseOwner(site: string, comment: string): Owned | undefined {
  const m = /^slipway:([a-z0-9-]+)#(\d+) (\S+) was (\S+)$/.exec(comment);
  return m && m[1] === site ? { gen: Number(m[2]), cluster: m[3] as string, was: m[4] as string } : undefined;
}

/** One hostname as Cloudflare has it. */
interface NameState {
  hostname: string;
  region: SiteRegion;
  /** the record the switch owns there (the first, if ever more than one) */
  ours?: DnsRecord & { owner: Owned };
  /** more records of ours at the name (only after a manual edit): removed by the next change */
  extra: DnsRecord[];
  /** address records somebody else owns: the switch refuses the name */
  foreign: DnsRecord[];
}

interface Step {
  state: NameState;
  /** undefined: delete `state.ours` */
  want?: WantedRecord;
}

async function readSite(dns: Dns, site: Site, regions: SiteRegion[]): Promise<NameState[]> {
  const zone = await dns.zoneName(site.zoneId);
  if (zone !== site.zone) throw new UserError(`${site.file}: zoneId ${site.zoneId} is the zone ${zone} in Cloudflare, not ${site.zone}`);
  const names = regions.flatMap((region) => region.hostnames.map((hostname) => ({ hostname, region })));
  const lists = await Promise.all(names.map((n) => dns.records(site.zoneId, n.hostname)));
  return names.map(({ hostname, region }, i) => {
    const records = (lists[i] as DnsRecord[]).filter((r) => ADDRESS_TYPES.has(r.type));
    const ours = records.flatMap((r) => {
      const owner = parseOwner(site.name, r.comment);
      return owner ? [{ ...r, owner }] : [];
    });
    return {
      hostname,
      region,
      ours: ours[0],
      extra: ours.slice(1),
      foreign: records.filter((r) => !parseOwner(site.name, r.comment)),
    };
  });
}

/** Which cluster a record points at, by its content (a comment can be edited by hand; the CNAME is what resolves). */
function pointsAt(region: SiteRegion, r: DnsRecord | undefined): SiteCluster | undefined {
  return r?.type === "CNAME" ? region.clusters.find((c) => c.target === r.content) : undefined;
}

function refuseForeign(states: NameState[]): void {
  const foreign = states.filter((s) => s.foreign.length > 0);
  if (foreign.length === 0) return;
  const list = foreign
    .map((s) => s.foreign.map((r) => `${r.type} ${r.name} → ${r.content}${r.comment ? ` ("${r.comment}")` : ""}`).join(", "))
    .join("; ");
  throw new UserError(
    `the switch does not own every record at the site's names: ${list}. Delete them (or take the name out of the site file) — the switch never changes a record it did not write`,
  );
}

const maxGen = (states: NameState[]) => Math.max(0, ...states.map((s) => s.ours?.owner.gen ?? 0));

function describeRecord(r: { type: string; content: string; ttl: number }): string {
  return `${r.type} ${r.content} (ttl ${r.ttl})`;
}

function diffLines(steps: Step[]): string[] {
  return steps.map(({ state, want }) => {
    const before = state.ours;
    if (!want) return `  - ${state.hostname}  ${describeRecord(before as DnsRecord)}`;
    if (!before) return `  + ${state.hostname}  ${describeRecord(want)}`;
    return `  ~ ${state.hostname}  ${describeRecord(before)} → ${describeRecord(want)}`;
  });
}

const same = (r: DnsRecord | undefined, w: WantedRecord) =>
  r !== undefined && r.type === w.type && r.content === w.content && r.ttl === w.ttl && r.proxied === w.proxied;

/** Lower long TTLs first, then change each name; report exactly what moved when Cloudflare fails halfway. */
async function apply(dns: Dns, site: Site, steps: Step[], opts: { wait: boolean; undo: string }): Promise<void> {
  const slow = steps.filter((s) => s.want && s.state.ours && s.state.ours.ttl > SWITCH_TTL && s.state.ours.content !== s.want.content);
  if (slow.length > 0) {
    for (const { state } of slow) {
      const r = state.ours as DnsRecord;
      await dns.update(site.zoneId, r.id, {
        name: r.name,
        type: r.type,
        content: r.content,
        ttl: SWITCH_TTL,
        proxied: r.proxied,
        comment: r.comment,
      });
      console.log(`lowered the TTL of ${r.name} from ${r.ttl} s to ${SWITCH_TTL} s`);
    }
    const longest = Math.max(...slow.map((s) => (s.state.ours as DnsRecord).ttl));
    if (opts.wait) {
      console.log(`waiting ${longest} s, until resolvers have dropped the old TTL (--no-wait skips this)`);
      await new Promise((r) => setTimeout(r, longest * 1000));
    } else console.log(`not waiting (--no-wait): resolvers may answer with the old records for up to ${longest} s more`);
  }
  const done: string[] = [];
  for (const [i, step] of steps.entries()) {
    const { state, want } = step;
    try {
      if (!want) await dns.delete(site.zoneId, state.ours as DnsRecord);
      else if (state.ours) await dns.update(site.zoneId, state.ours.id, want);
      else await dns.create(site.zoneId, want);
      for (const extra of state.extra) await dns.delete(site.zoneId, extra);
    } catch (e) {
      const left = steps.slice(i).map((s) => s.state.hostname);
      throw new UserError(
        `${(e as Error).message}. Changed ${done.length} of ${steps.length}: ${done.join(", ") || "none"}; not changed: ${left.join(", ")}. ` +
          `The names are split: run the same command again to finish, or ${opts.undo}`,
      );
    }
    done.push(state.hostname);
    console.log(`  ✓ ${state.hostname}${want ? ` → ${want.content}` : " removed"}`);
  }
}

export interface SwitchOptions {
  to?: string;
  dryRun?: boolean;
  /** false with --no-wait */
  wait: boolean;
  /** false with --no-check: move without asking the target (an emergency) */
  check: boolean;
}

/** `slipway traffic switch`: every region (or the one holding --to) onto its target. */
export async function trafficSwitch(dns: Dns, site: Site, opts: SwitchOptions): Promise<void> {
  const targets = new Map<SiteRegion, SiteCluster>();
  if (opts.to) {
    const region = site.regions.find((r) => r.clusters.some((c) => c.name === opts.to));
    if (!region) {
      const all = site.regions.flatMap((r) => r.clusters.map((c) => c.name));
      throw new UserError(`${site.file}: no cluster ${opts.to} in the site; its clusters are ${all.join(", ")}`);
    }
    targets.set(region, region.clusters.find((c) => c.name === opts.to) as SiteCluster);
  } else for (const r of site.regions) targets.set(r, r.clusters.find((c) => c.name === r.live) as SiteCluster);

  const states = await readSite(dns, site, [...targets.keys()]);
  refuseForeign(states);
  const all = opts.to ? await readSite(dns, site, site.regions) : states;
  // A switch halted halfway is finished under its own number, so one rollback still undoes all of it.
  const top = maxGen(all);
  const latest = all.filter((s) => s.ours?.owner.gen === top);
  const continuing = top > 0 && latest.every((s) => targets.get(s.region)?.name === s.ours?.owner.cluster);
  const gen = continuing ? top : top + 1;

  const steps: Step[] = [];
  for (const state of states) {
    const to = targets.get(state.region) as SiteCluster;
    const was = pointsAt(state.region, state.ours)?.name ?? (state.ours ? state.ours.owner.cluster : NONE);
    const want: WantedRecord = {
      name: state.hostname,
      type: "CNAME",
      content: to.target,
      ttl: site.ttl,
      proxied: false,
      comment: ownerComment(site.name, { gen, cluster: to.name, was: was === to.name ? (state.ours?.owner.was ?? NONE) : was }),
    };
    if (!same(state.ours, want) || state.extra.length > 0) steps.push({ state, want });
  }
  for (const [region, to] of targets)
    if (steps.every((s) => s.state.region !== region))
      console.log(`${region.name}: every name already points at ${to.name}: nothing to change`);
  if (steps.length === 0) return liveNote(targets);

  console.log(`${site.name}: switch #${gen}${continuing ? " (finishing the switch halted before)" : ""}`);
  for (const line of diffLines(steps)) console.log(line);

  if (opts.check) {
    for (const [region, to] of targets) {
      if (steps.every((s) => s.state.region !== region)) continue;
      const checks = await healthChecks(dns, to, region.hostnames);
      for (const c of checks) console.log(`  ${c.ok ? "✓" : "✗"} ${c.what}: ${c.detail}`);
      const bad = checks.filter((c) => !c.ok);
      if (bad.length > 0)
        throw new UserError(`${to.name} is not healthy (${bad.length} of ${checks.length} checks failed): nothing changed`);
    }
  } else console.log("  (not checking the target: --no-check)");
  if (opts.dryRun) return void console.log("dry run: nothing changed");

  await apply(dns, site, steps, { wait: opts.wait, undo: `\`slipway traffic rollback ${site.file}\` to put the changed ones back` });
  liveNote(targets);
}

function liveNote(targets: Map<SiteRegion, SiteCluster>): void {
  for (const [region, to] of targets)
    if (region.live !== to.name)
      console.log(`${region.name} is on ${to.name} now; the site file still says live: ${region.live} — set live: ${to.name} there`);
}

/** `slipway traffic rollback`: the records of the latest change back to what each was before it. */
export async function trafficRollback(dns: Dns, site: Site, opts: { dryRun?: boolean }): Promise<void> {
  const states = await readSite(dns, site, site.regions);
  refuseForeign(states);
  const top = maxGen(states);
  const latest = states.filter((s) => s.ours?.owner.gen === top);
  if (top === 0 || latest.length === 0)
    throw new UserError(`${site.name}: no change of the switch to roll back (no record of it in ${site.zone})`);
  const gen = top + 1;
  const steps: Step[] = latest.map((state) => {
    const ours = state.ours as DnsRecord & { owner: Owned };
    if (ours.owner.was === NONE) return { state };
    const back = state.region.clusters.find((c) => c.name === ours.owner.was);
    if (!back)
      throw new UserError(
        `${state.hostname} was on cluster ${ours.owner.was} before change #${top}, and the site file no longer lists it: add it back to roll back`,
      );
    const want: WantedRecord = {
      name: state.hostname,
      type: "CNAME",
      content: back.target,
      ttl: site.ttl,
      proxied: false,
      comment: ownerComment(site.name, { gen, cluster: back.name, was: ours.owner.cluster }),
    };
    return { state, want };
  });
  console.log(`${site.name}: rolling back change #${top} as #${gen}`);
  for (const line of diffLines(steps)) console.log(line);
  if (opts.dryRun) return void console.log("dry run: nothing changed");
  // hot: no health check and no TTL wait — the way back must be quick
  await apply(dns, site, steps, {
    wait: false,
    undo: "`slipway traffic switch --to <cluster>` to finish it (a second rollback would undo this partial one)",
  });
}

/** `slipway traffic status`: per name, what Cloudflare has against what the site file says. 1 with --check when they differ. */
export async function trafficStatus(dns: Dns, site: Site): Promise<boolean> {
  const states = await readSite(dns, site, site.regions);
  let matches = true;
  console.log(`site ${site.name} (${site.zone}) — ${site.file}`);
  for (const region of site.regions) {
    console.log(`region ${region.name}: the file says live: ${region.live}`);
    const on = new Set<string>();
    for (const s of states.filter((x) => x.region === region)) {
      const at = pointsAt(region, s.ours);
      on.add(at?.name ?? "?");
      const owner = s.ours ? ` — ${at ? at.name : "no cluster of the site"}, change #${s.ours.owner.gen}, was ${s.ours.owner.was}` : "";
      const foreign = s.foreign.map((r) => `; not the switch's: ${describeRecord(r)}${r.comment ? ` "${r.comment}"` : ""}`).join("");
      console.log(`  ${s.hostname}  ${s.ours ? describeRecord(s.ours) : "no record of the switch"}${owner}${foreign}`);
      if (at?.name !== region.live || s.foreign.length > 0) matches = false;
    }
    if (on.size > 1)
      console.log(`  SPLIT: the names point at different clusters (${[...on].join(", ")}) — a switch or rollback was halted`);
  }
  console.log(matches ? "Cloudflare matches the site file" : "Cloudflare differs from the site file");
  return matches;
}
