// Keystone v3: a project-scoped token (password) or an application-credential token, and the
// image service's endpoint from the token's catalog (interface and region as configured).
import type { Credentials } from "./clouds";
import { ImageError } from "./errors";
import { readBody, request, serverMessage, type Tls } from "./http";

export interface Session {
  token: string;
  /** Glance's base URL, without /v2 */
  imageEndpoint: string;
  tls: Tls;
}

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region_id?: string; region?: string; url: string }[];
}

function identity(c: Credentials): Record<string, unknown> {
  const user = c.user?.id
    ? { id: c.user.id }
    : { name: c.user?.name, domain: c.user?.domainId ? { id: c.user.domainId } : { name: c.user?.domainName } };
  if (c.method === "application_credential") {
    const ac = c.applicationCredential as NonNullable<Credentials["applicationCredential"]>;
    return {
      methods: ["application_credential"],
      application_credential: ac.id ? { id: ac.id, secret: ac.secret } : { name: ac.name, secret: ac.secret, user },
    };
  }
  return { methods: ["password"], password: { user: { ...user, password: c.password } } };
}

function scope(c: Credentials): Record<string, unknown> | undefined {
  // an application credential is scoped already; asking again is an error
  if (c.method === "application_credential" || !c.project) return undefined;
  const p = c.project;
  return { project: p.id ? { id: p.id } : { name: p.name, domain: p.domainId ? { id: p.domainId } : { name: p.domainName } } };
}

function imageEndpoint(catalog: CatalogEntry[], c: Credentials): string {
  const services = catalog.filter((s) => s.type === "image");
  const endpoints = services.flatMap((s) => s.endpoints).filter((e) => e.interface === c.interface);
  if (endpoints.length === 0)
    throw new ImageError(`Keystone's catalog (${c.authUrl}) has no ${c.interface} endpoint for the image service (Glance)`);
  const regionOf = (e: (typeof endpoints)[number]) => e.region_id ?? e.region ?? "";
  const inRegion = c.region ? endpoints.filter((e) => regionOf(e) === c.region) : endpoints;
  const regions = [...new Set(endpoints.map(regionOf))].sort();
  if (inRegion.length === 0)
    throw new ImageError(`the image service has no ${c.interface} endpoint in region "${c.region}" (it has: ${regions.join(", ")})`);
  if (!c.region && regions.length > 1)
    throw new ImageError(
      `the image service is in several regions (${regions.join(", ")}): choose one with region_name in clouds.yaml or OS_REGION_NAME`,
    );
  return (inRegion[0]?.url ?? "").replace(/\/+$/, "").replace(/\/v2(\.\d+)?$/, "");
}

export async function authenticate(c: Credentials): Promise<Session> {
  const url = `${c.authUrl}/auth/tokens`;
  const s = scope(c);
  const res = await request("POST", url, {
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ auth: { identity: identity(c), ...(s ? { scope: s } : {}) } }),
    tls: c.tls,
  });
  const body = await readBody(res);
  if (res.statusCode === 401)
    throw new ImageError(
      `Keystone (${c.authUrl}) rejected the credentials from ${c.source}: ${serverMessage(body) || "HTTP 401"} — check the user, password or application credential, and the project`,
    );
  if (res.statusCode === 404 && /\/v3$/.test(c.authUrl))
    throw new ImageError(`${url}: HTTP 404 — is auth_url (${c.authUrl}) Keystone's address?`);
  if (res.statusCode !== 201 && res.statusCode !== 200)
    throw new ImageError(`Keystone (${c.authUrl}): HTTP ${res.statusCode} ${serverMessage(body)}`);
  const token = res.headers["x-subject-token"];
  if (typeof token !== "string") throw new ImageError(`Keystone (${c.authUrl}) answered without a token (X-Subject-Token)`);
  let parsed: { token?: { catalog?: CatalogEntry[] } };
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ImageError(`Keystone (${c.authUrl}) answered with something that is not JSON`);
  }
  const catalog = parsed.token?.catalog;
  if (!catalog) throw new ImageError(`Keystone gave an unscoped token for ${c.source} (no catalog): name a project`);
  return {
    token,
    imageEndpoint: imageEndpoint(catalog, c),
    tls: c.tls,
  };
}
