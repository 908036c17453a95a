// A typed builder for Ignition configs. Parts (etcd member, proxy, flannel, …) add files and units
// to it; a role is a list of parts. File contents may hold values that are only known later — a
// certificate Terraform will issue, the id of a volume — as `Deferred` pieces; the two renderers
// (render.ts) either fill them from local values (`slipway render`) or splice them in as Terraform
// expressions (synthesis). Everything else is identical on both paths.
import type { Config, Dropin, Filesystem, NodeUser, Unit } from "./spec";
import { IGNITION_VERSION } from "./spec";

/** A value known only at apply time, as a Terraform expression (a cdktf token string). */
export class Deferred {
  constructor(
    readonly expression: string,
    /** upper bound of the value's length in bytes, for the user_data budget */
    readonly maxBytes: number,
    /** what it is, for messages */
    readonly what: string,
    /**
     * "base64": the value is base64 text with a few header lines (a PEM, an id), which gzip always
     * brings to about 6 bits a character; "any": nothing known, bound as incompressible.
     */
    readonly alphabet: "base64" | "any" = "any",
  ) {}
}

/** File contents: text, a deferred value, or a concatenation of both. */
export type Text = string | Deferred | readonly Text[];

/** Flatten a Text into static strings and deferred values, merging adjacent strings. */
export function segments(t: Text): (string | Deferred)[] {
  const out: (string | Deferred)[] = [];
  const walk = (x: Text) => {
    if (typeof x === "string") {
      const last = out[out.length - 1];
      if (typeof last === "string") out[out.length - 1] = last + x;
      else if (x !== "") out.push(x);
    } else if (x instanceof Deferred) out.push(x);
    else for (const y of x) walk(y);
  };
  walk(t);
  return out;
}

export interface FileSpec {
  path: string;
  contents: Text;
  mode: number;
  overwrite: boolean;
  user?: NodeUser;
  group?: NodeUser;
}

export interface RemoteFileSpec {
  path: string;
  source: string;
  /** sha512-<hex>; without it Ignition trusts the source's HTTPS alone */
  hash?: string;
  mode: number;
}

export class IgnitionBuilder {
  readonly files = new Map<string, FileSpec>();
  readonly remoteFiles = new Map<string, RemoteFileSpec>();
  readonly directories = new Map<string, { path: string; mode: number }>();
  readonly links = new Map<string, { path: string; target: string }>();
  readonly filesystems: Filesystem[] = [];
  readonly units = new Map<string, Unit>();
  readonly users = new Map<string, { name: string; sshAuthorizedKeys: string[]; groups: string[] }>();

  private claim(path: string, by: string) {
    if (!path.startsWith("/")) throw new Error(`Ignition paths must be absolute: ${path}`);
    if (this.files.has(path) || this.remoteFiles.has(path) || this.links.has(path) || this.directories.has(path))
      throw new Error(`two parts both write ${path} (second: ${by})`);
  }

  file(path: string, contents: Text, opts: { mode?: number; overwrite?: boolean; user?: NodeUser; group?: NodeUser } = {}): this {
    this.claim(path, "file");
    this.files.set(path, {
      path,
      contents,
      mode: opts.mode ?? 0o644,
      overwrite: opts.overwrite ?? true,
      user: opts.user,
      group: opts.group,
    });
    return this;
  }

  /** A file Ignition downloads (and verifies, given a hash) at first boot, before anything starts. */
  remoteFile(path: string, source: string, hash: string | undefined, mode = 0o644): this {
    this.claim(path, "remote file");
    if (hash !== undefined && !/^sha512-[0-9a-f]{128}$/.test(hash)) throw new Error(`${path}: hash must be sha512-<128 hex digits>`);
    if (!/^https:\/\//.test(source)) throw new Error(`${path}: remote files come over https, not ${source}`);
    this.remoteFiles.set(path, { path, source, mode, ...(hash ? { hash } : {}) });
    return this;
  }

  directory(path: string, mode = 0o755): this {
    const existing = this.directories.get(path);
    if (existing) {
      if (existing.mode !== mode)
        throw new Error(`directory ${path} wanted with modes ${existing.mode.toString(8)} and ${mode.toString(8)}`);
      return this;
    }
    this.claim(path, "directory");
    this.directories.set(path, { path, mode });
    return this;
  }

  link(path: string, target: string): this {
    this.claim(path, "link");
    this.links.set(path, { path, target });
    return this;
  }

  private unitEntry(name: string): Unit {
    if (!/^[A-Za-z0-9:_.\\@-]+\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)$/.test(name))
      throw new Error(`not a systemd unit name: ${name}`);
    let u = this.units.get(name);
    if (!u) {
      u = { name };
      this.units.set(name, u);
    }
    return u;
  }

  /** A unit with its contents; `enabled` adds it to the Ignition preset. */
  unit(name: string, contents: string, opts: { enabled?: boolean } = {}): this {
    const u = this.unitEntry(name);
    if (u.contents !== undefined) throw new Error(`two parts both define ${name}`);
    u.contents = contents;
    if (opts.enabled) u.enabled = true;
    return this;
  }

  /** Enable a unit the OS already ships. */
  enable(name: string): this {
    this.unitEntry(name).enabled = true;
    return this;
  }

  dropin(unit: string, name: string, contents: string): this {
    const u = this.unitEntry(unit);
    u.dropins ??= [];
    const dropins: Dropin[] = u.dropins;
    if (dropins.some((d) => d.name === name)) throw new Error(`two parts both write ${unit}.d/${name}`);
    dropins.push({ name, contents });
    return this;
  }

  mask(name: string): this {
    this.unitEntry(name).mask = true;
    return this;
  }

  filesystem(fs: Filesystem): this {
    this.filesystems.push(fs);
    return this;
  }

  user(name: string, sshAuthorizedKeys: string[], groups: string[] = []): this {
    const u = this.users.get(name) ?? { name, sshAuthorizedKeys: [], groups: [] };
    u.sshAuthorizedKeys.push(...sshAuthorizedKeys.filter((k) => !u.sshAuthorizedKeys.includes(k)));
    u.groups.push(...groups.filter((g) => !u.groups.includes(g)));
    this.users.set(name, u);
    return this;
  }

  /**
   * The config with each file's contents encoded by `encode`. Lists are sorted by path/name so
   * the output does not depend on the order parts were applied in.
   */
  build(encode: (contents: Text, path: string) => { source: string; compression?: "gzip" }): Config {
    const byPath = <T extends { path: string }>(m: Map<string, T>) => [...m.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
    const files = [
      ...byPath(this.files).map((f) => ({
        path: f.path,
        overwrite: f.overwrite,
        mode: f.mode,
        ...(f.user ? { user: f.user } : {}),
        ...(f.group ? { group: f.group } : {}),
        contents: encode(f.contents, f.path),
      })),
      ...byPath(this.remoteFiles).map((f) => ({
        path: f.path,
        overwrite: true,
        mode: f.mode,
        contents: { source: f.source, ...(f.hash ? { verification: { hash: f.hash } } : {}) },
      })),
    ].sort((a, b) => (a.path < b.path ? -1 : 1));
    const units = [...this.units.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((u) => ({ ...u, ...(u.dropins ? { dropins: [...u.dropins].sort((a, b) => (a.name < b.name ? -1 : 1)) } : {}) }));
    const config: Config = { ignition: { version: IGNITION_VERSION } };
    const storage: NonNullable<Config["storage"]> = {};
    if (files.length) storage.files = files;
    if (this.directories.size)
      storage.directories = byPath(this.directories).map((d) => ({ path: d.path, overwrite: false, mode: d.mode }));
    if (this.links.size) storage.links = byPath(this.links).map((l) => ({ path: l.path, target: l.target, hard: false, overwrite: true }));
    if (this.filesystems.length) storage.filesystems = this.filesystems;
    if (Object.keys(storage).length) config.storage = storage;
    if (units.length) config.systemd = { units };
    if (this.users.size)
      config.passwd = {
        users: [...this.users.values()].map((u) => ({
          name: u.name,
          ...(u.sshAuthorizedKeys.length ? { sshAuthorizedKeys: u.sshAuthorizedKeys } : {}),
          ...(u.groups.length ? { groups: u.groups } : {}),
        })),
      };
    return config;
  }
}
