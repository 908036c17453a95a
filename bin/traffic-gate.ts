// Is a cluster fit to take a site's traffic? Its API answers /readyz on every address its API name
// has, and its ingress answers HTTPS on every master address (its ingress records) with a
// certificate valid for each hostname — what a browser would check, asked of each master directly.
import { request as httpsRequest } from "node:https";
import type { SiteCluster } from "../clusters/model/site";
import type { Dns } from "./traffic-dns";

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

const TIMEOUT_MS = 10_000;
/** Where the gate knocks: the API server's and the ingress's ports, as the cluster stacks open them. */
export const PORTS = { api: 6443, https: 443 };

function get(
  host: string,
  port: number,
  servername: string | undefined,
  path: string,
  verify: boolean,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host,
        port,
        path,
        method: "GET",
        // SNI and Host are the public name: the ingress picks its certificate and route by them
        ...(servername ? { servername, headers: { host: servername } } : {}),
        rejectUnauthorized: verify,
        timeout: TIMEOUT_MS,
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          if (body.length < 4096) body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end();
  });
}

const reason = (e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}${err.message && !err.message.startsWith(err.code) ? ` (${err.message})` : ""}` : err.message;
};

/** Every check of `cluster` for `hostnames`, in a stable order (addresses as the records list them, sorted). */
export async function healthChecks(dns: Dns, cluster: SiteCluster, hostnames: string[]): Promise<Check[]> {
  const [apiRecords, ingressRecords] = await Promise.all([
    dns.records(cluster.zoneId, cluster.api),
    dns.records(cluster.zoneId, cluster.ingress),
  ]);
  const apiHosts = apiRecords.filter((r) => r.type === "A" || r.type === "AAAA" || r.type === "CNAME").map((r) => r.content);
  const masters = ingressRecords.filter((r) => r.type === "A" || r.type === "AAAA").map((r) => r.content);
  const checks: Promise<Check>[] = [];
  if (apiHosts.length === 0)
    checks.push(Promise.resolve({ what: `API ${cluster.api}`, ok: false, detail: "no records in Cloudflare: is the cluster applied?" }));
  for (const host of [...apiHosts].sort()) {
    const what = `API ${host}:${PORTS.api}/readyz`;
    // The API's certificate is signed by the cluster's own CA, which lives in its Terraform state,
    // not here: this asks whether it is ready, it does not authenticate it.
    checks.push(
      get(host, PORTS.api, undefined, "/readyz", false).then(
        ({ status, body }) => ({
          what,
          ok: status === 200,
          detail: status === 200 ? "ready" : `HTTP ${status} ${body.trim().slice(0, 120)}`,
        }),
        (e) => ({ what, ok: false, detail: reason(e) }),
      ),
    );
  }
  if (masters.length === 0)
    checks.push(
      Promise.resolve({
        what: `ingress ${cluster.ingress}`,
        ok: false,
        detail: "no master addresses in Cloudflare: is the cluster applied?",
      }),
    );
  for (const ip of [...masters].sort())
    for (const hostname of hostnames) {
      const what = `ingress ${ip}:${PORTS.https} as ${hostname}`;
      checks.push(
        // verified as a browser would: the system's CAs (and NODE_EXTRA_CA_CERTS), the hostname
        get(ip, PORTS.https, hostname, "/", true).then(
          ({ status }) => ({
            what,
            // any answer below 500 is the ingress answering (a 404 is a route not yet there, not a dead ingress)
            ok: status < 500,
            detail: status < 500 ? `HTTPS ${status}, certificate valid` : `HTTPS ${status}: the ingress or its backend fails`,
          }),
          (e) => ({ what, ok: false, detail: reason(e) }),
        ),
      );
    }
  return Promise.all(checks);
}
