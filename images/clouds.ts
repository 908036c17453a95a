// OpenStack credentials the way the openstack CLI finds them: a named cloud from clouds.yaml (with
// secure.yaml merged over it), or the OS_* variables an openrc file exports. Password and
// application-credential auth (Keystone v3). Nothing here is ever printed: messages name the
// source and the missing field, never a value.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { ImageError } from "./errors";
import type { Tls } from "./http";

export interface Credentials {
  /** Keystone v3 base, e.g. https://keystone.example:5000/v3 */
  authUrl: string;
  method: "password" | "application_credential";
  user?: { id?: string; name?: string; domainId?: string; domainName?: string };
  password?: string;
  project?: { id?: string; name?: string; domainId?: string; domainName?: string };
  applicationCredential?: { id?: string; name?: string; secret: string };
  region?: string;
  interface: "public" | "internal" | "admin";
  tls: Tls;
  /** where these came from, for messages: `clouds.yaml cloud "x" (/path)` or `the OS_* environment` */
  source: string;
}

type Env = Record<string, string | undefined>;

/** clouds.yaml / secure.yaml in openstacksdk's order: $OS_CLIENT_CONFIG_FILE, ., ~/.config/openstack, /etc/openstack */
function configFile(name: "clouds" | "secure", env: Env, cwd: string): string | undefined {
  const variable = name === "clouds" ? "OS_CLIENT_CONFIG_FILE" : "OS_CLIENT_SECURE_FILE";
  const explicit = env[variable];
  // a file named on purpose that is not there is a mistake, not a reason to look elsewhere
  if (explicit && !existsSync(resolve(cwd, explicit))) throw new ImageError(`${variable}=${explicit}: no such file`);
  const candidates = [
    ...(explicit ? [resolve(cwd, explicit)] : []),
    ...[".yaml", ".yml"].flatMap((ext) => [
      join(cwd, `${name}${ext}`),
      join(env.HOME ?? homedir(), ".config", "openstack", `${name}${ext}`),
      join("/etc/openstack", `${name}${ext}`),
    ]),
  ];
  return candidates.find((f) => existsSync(f));
}

function readYaml(file: string): Record<string, unknown> {
  try {
    return (parse(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new ImageError(`${file}: not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && v && typeof prev === "object" && typeof v === "object" && !Array.isArray(v)
        ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

function v3(url: string): string {
  const u = url.replace(/\/+$/, "");
  return /\/v3$/.test(u) ? u : `${u}/v3`;
}

function tlsFrom(cacert: string | undefined, verify: unknown, where: string, cwd: string): Tls {
  if (!cacert) return { insecure: verify === false || verify === "false" || verify === "False" };
  const file = resolve(cwd, cacert);
  if (!existsSync(file)) throw new ImageError(`${where}: cacert ${file} does not exist`);
  return { ca: readFileSync(file), insecure: verify === false };
}

type Auth = Record<string, string | undefined>;

function build(auth: Auth, extra: { authType?: string; region?: string; iface?: string; tls: Tls; source: string }): Credentials {
  const { source } = extra;
  const need = (field: string) => new ImageError(`${source}: ${field} is missing`);
  if (!auth.auth_url) throw need("auth_url");
  const type = (extra.authType ?? (auth.application_credential_secret ? "v3applicationcredential" : "password")).toLowerCase();
  const iface = (extra.iface ?? "public").replace(/URL$/, "") as Credentials["interface"];
  if (!["public", "internal", "admin"].includes(iface))
    throw new ImageError(`${source}: interface "${extra.iface}" is not public, internal or admin`);
  const base = { authUrl: v3(auth.auth_url), interface: iface, tls: extra.tls, source, ...(extra.region ? { region: extra.region } : {}) };
  const user = {
    ...(auth.user_id ? { id: auth.user_id } : {}),
    ...(auth.username ? { name: auth.username } : {}),
    ...(auth.user_domain_id ? { domainId: auth.user_domain_id } : {}),
    ...(auth.user_domain_name ? { domainName: auth.user_domain_name } : {}),
  };
  if (type === "v3applicationcredential" || type === "applicationcredential" || type === "application_credential") {
    if (!auth.application_credential_secret) throw need("application_credential_secret");
    if (!auth.application_credential_id && !auth.application_credential_name) throw need("application_credential_id");
    if (!auth.application_credential_id && !user.id && !user.name)
      throw new ImageError(`${source}: an application credential by name needs username or user_id`);
    return {
      ...base,
      method: "application_credential",
      user,
      applicationCredential: {
        secret: auth.application_credential_secret,
        ...(auth.application_credential_id ? { id: auth.application_credential_id } : { name: auth.application_credential_name }),
      },
    };
  }
  if (type !== "password" && type !== "v3password")
    throw new ImageError(`${source}: auth_type "${extra.authType}" is not supported (use password or v3applicationcredential)`);
  if (!user.id && !user.name) throw need("username");
  if (!auth.password) throw need("password");
  const projectName = auth.project_name ?? auth.tenant_name;
  const projectId = auth.project_id ?? auth.tenant_id;
  if (!projectName && !projectId) throw new ImageError(`${source}: project_name or project_id is missing (images belong to a project)`);
  return {
    ...base,
    method: "password",
    user,
    password: auth.password,
    project: {
      ...(projectId ? { id: projectId } : {}),
      ...(projectName ? { name: projectName } : {}),
      ...(auth.project_domain_id ? { domainId: auth.project_domain_id } : {}),
      ...(auth.project_domain_name ? { domainName: auth.project_domain_name } : {}),
    },
  };
}

/**
 * The credentials to use: `cloud` (or $OS_CLOUD) from clouds.yaml, else the OS_* environment.
 * Domains default as the openstack CLI's do: the "default" domain.
 */
export function loadCredentials(cloud: string | undefined, env: Env = process.env, cwd = process.cwd()): Credentials {
  const name = cloud ?? env.OS_CLOUD;
  let creds: Credentials;
  if (name) {
    const file = configFile("clouds", env, cwd);
    if (!file)
      throw new ImageError(
        `cloud "${name}": no clouds.yaml found (looked in ./, ~/.config/openstack/ and /etc/openstack/; or set OS_CLIENT_CONFIG_FILE)`,
      );
    const clouds = (readYaml(file).clouds ?? {}) as Record<string, Record<string, unknown>>;
    let entry = clouds[name];
    if (!entry)
      throw new ImageError(
        `${file} has no cloud "${name}"${Object.keys(clouds).length ? ` (it has: ${Object.keys(clouds).join(", ")})` : ""}`,
      );
    const secure = configFile("secure", env, cwd);
    const secureEntry = secure ? ((readYaml(secure).clouds ?? {}) as Record<string, Record<string, unknown>>)[name] : undefined;
    if (secureEntry) entry = merge(entry, secureEntry);
    const source = `clouds.yaml cloud "${name}" (${file})`;
    const auth = Object.fromEntries(
      Object.entries((entry.auth ?? {}) as Record<string, unknown>).map(([k, v]) => [k, v === undefined ? undefined : String(v)]),
    );
    creds = build(auth, {
      authType: entry.auth_type as string | undefined,
      region: (entry.region_name as string | undefined) ?? (Array.isArray(entry.regions) ? String(entry.regions[0]) : undefined),
      iface: (entry.interface ?? entry.endpoint_type) as string | undefined,
      tls: tlsFrom(entry.cacert as string | undefined, entry.verify, source, cwd),
      source,
    });
  } else if (env.OS_AUTH_URL) {
    const source = "the OS_* environment";
    const pick = (k: string) => env[`OS_${k.toUpperCase()}`] || undefined;
    const auth: Auth = {};
    for (const k of [
      "auth_url",
      "username",
      "user_id",
      "password",
      "user_domain_name",
      "user_domain_id",
      "project_name",
      "project_id",
      "tenant_name",
      "tenant_id",
      "project_domain_name",
      "project_domain_id",
      "application_credential_id",
      "application_credential_name",
      "application_credential_secret",
    ])
      auth[k] = pick(k);
    creds = build(auth, {
      authType: pick("auth_type"),
      region: pick("region_name"),
      iface: pick("interface") ?? pick("endpoint_type"),
      tls: tlsFrom(pick("cacert"), env.OS_INSECURE === "true" ? false : undefined, source, cwd),
      source,
    });
  } else {
    throw new ImageError(
      "no OpenStack credentials: pass --cloud NAME (a cloud in clouds.yaml), or set OS_CLOUD, or source your openrc (OS_AUTH_URL and friends)",
    );
  }
  // the CLI's default domain, when the file names none
  const dflt = env.OS_DEFAULT_DOMAIN ?? "default";
  if (creds.user && !creds.user.id && !creds.user.domainId && !creds.user.domainName) creds.user.domainId = dflt;
  if (creds.project && !creds.project.id && !creds.project.domainId && !creds.project.domainName) creds.project.domainId = dflt;
  return creds;
}
