// A real OpenStack Swift beside the real Keystone of ./openstack.ts: Debian's account, container,
// object and proxy servers on free ports of 127.0.0.1, one device in a folder of the test's, rings
// built with swift-ring-builder, the proxy authenticating with keystonemiddleware (service_type
// object-store, so application credentials' access rules are enforced) and keystoneauth. The
// object-store service and its endpoints are added to Keystone's catalog. Servers are stopped by
// PID and the folder removed by stop(); an exit hook does it too if the test process dies first.
// The proxy also speaks the S3 API (s3api with s3token: SigV4 with Keystone EC2 credentials),
// path-style and virtual-hosted under s3.localhost (which resolves to loopback).
// Swift reads /etc/swift/swift.conf (its hash path settings; Debian's package ships one): read,
// never written.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenStack } from "./openstack";
import { freePort } from "./ports";

export interface Swift {
  /** the proxy, e.g. http://127.0.0.1:PORT */
  url: string;
  /** the demo project's account: <url>/v1/AUTH_<project id> */
  account: string;
  /** an EC2 credential of the demo user in the demo project, for the S3 API */
  ec2Credential(): Promise<{ access: string; secret: string }>;
  /** a request to the demo account as its owner (the demo user, an operator of it): looking behind a restricted credential's back */
  asOwner(method: string, path: string, headers?: Record<string, string>, body?: Buffer | string): Promise<Response>;
  log(): string;
  stop(): Promise<void>;
}

const SWIFT_PW = "swift-test-pw";

function tailOf(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
  await gone;
  clearTimeout(timer);
}

export interface SwiftOptions {
  /** the region SigV4 requests must be signed for (s3api's location) */
  s3Region?: string;
}

export async function startSwift(dir: string, os: OpenStack, opts: SwiftOptions = {}): Promise<Swift> {
  const etc = join(dir, "etc");
  const node = join(dir, "node");
  const log = join(dir, "log");
  for (const d of [etc, join(node, "d1"), log, join(dir, "run")]) mkdirSync(d, { recursive: true });
  const ports = { account: await freePort(), container: await freePort(), object: await freePort(), proxy: await freePort() };
  const url = `http://127.0.0.1:${ports.proxy}`;
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  };
  process.once("exit", killAll);
  const cleanup = async () => {
    for (const c of [...children].reverse()) await stopChild(c);
    process.removeListener("exit", killAll);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // one replica, one device per ring: the smallest Swift there is
    for (const ring of ["account", "container", "object"] as const) {
      const builder = join(etc, `${ring}.builder`);
      execFileSync("swift-ring-builder", [builder, "create", "0", "1", "1"], { stdio: "ignore" });
      execFileSync("swift-ring-builder", [builder, "add", `r1z1-127.0.0.1:${ports[ring]}/d1`, "100"], { stdio: "ignore" });
      execFileSync("swift-ring-builder", [builder, "rebalance"], { stdio: "ignore" });
    }
    const common = `[DEFAULT]\nbind_ip = 127.0.0.1\nuser = root\nswift_dir = ${etc}\ndevices = ${node}\nmount_check = false\nworkers = 0\nlog_name = swift\nlog_udp_host =\n`;
    for (const ring of ["account", "container", "object"] as const)
      writeFileSync(
        join(etc, `${ring}-server.conf`),
        `${common}bind_port = ${ports[ring]}\n[pipeline:main]\npipeline = ${ring}-server\n[app:${ring}-server]\nuse = egg:swift#${ring}\n`,
      );

    // Keystone: the proxy's service user, the object-store service and its endpoints
    const admin = await os.adminToken();
    const ks = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${os.authUrl}/${path}`, {
        method,
        headers: { "X-Auth-Token": admin, "Content-Type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (r.status >= 300) throw new Error(`keystone ${method} ${path}: HTTP ${r.status} ${await r.text()}`);
      return r.status === 204 ? {} : ((await r.json()) as Record<string, { id: string }>);
    };
    const roleId = async (name: string) => ((await ks("GET", `roles?name=${name}`)) as unknown as { roles: { id: string }[] }).roles[0]?.id;
    const service = ((await ks("GET", "projects?name=service")) as unknown as { projects: { id: string }[] }).projects[0]?.id;
    const user = (await ks("POST", "users", { user: { name: "swift", domain_id: "default", password: SWIFT_PW } })).user?.id;
    await ks("PUT", `projects/${service}/users/${user}/roles/${await roleId("admin")}`);
    const svc = (await ks("POST", "services", { service: { name: "swift", type: "object-store" } })).service?.id;
    for (const iface of ["public", "internal", "admin"])
      await ks("POST", "endpoints", {
        endpoint: { service_id: svc, interface: iface, url: `${url}/v1/AUTH_$(project_id)s`, region_id: "RegionOne" },
      });

    const KS = os.authUrl.replace(/\/v3$/, "");
    writeFileSync(
      join(etc, "proxy-server.conf"),
      `${common}bind_port = ${ports.proxy}\n` +
        // s3api + s3token: the S3 API on the same port, signed with Keystone's EC2 credentials.
        // authtoken comes first (it would strip the identity s3token sets); a request with a
        // Keystone token passes s3api untouched
        "[pipeline:main]\npipeline = catch_errors proxy-logging authtoken s3api s3token keystoneauth proxy-logging proxy-server\n" +
        `[filter:s3api]\nuse = egg:swift#s3api\nlocation = ${opts.s3Region ?? "us-east-1"}\nstorage_domain = s3.localhost\n` +
        // s3token asks Keystone to check each signature, as the swift service user
        `[filter:s3token]\nuse = egg:swift#s3token\nauth_uri = ${KS}/v3\nauth_url = ${KS}\nauth_type = password\n` +
        `project_domain_id = default\nuser_domain_id = default\nproject_name = service\nusername = swift\npassword = ${SWIFT_PW}\n` +
        "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n" +
        "[filter:catch_errors]\nuse = egg:swift#catch_errors\n[filter:proxy-logging]\nuse = egg:swift#proxy_logging\n" +
        "[filter:keystoneauth]\nuse = egg:swift#keystoneauth\noperator_roles = admin, member\n" +
        "[filter:authtoken]\npaste.filter_factory = keystonemiddleware.auth_token:filter_factory\n" +
        `www_authenticate_uri = ${KS}\nauth_url = ${KS}\nauth_type = password\nproject_domain_id = default\nuser_domain_id = default\n` +
        `project_name = service\nusername = swift\npassword = ${SWIFT_PW}\ndelay_auth_decision = true\n` +
        // application credentials' access rules are checked against this service type
        "service_type = object-store\n",
    );
    for (const server of ["account", "container", "object", "proxy"] as const) {
      // --verbose: the server logs to its standard output too, which goes to its log file
      const out = openSync(join(log, `${server}.log`), "a");
      const c = spawn(`swift-${server}-server`, [join(etc, `${server}-server.conf`), "--verbose"], {
        stdio: ["ignore", out, out],
        env: { ...process.env, PYTHONUNBUFFERED: "1" },
      });
      closeSync(out);
      children.push(c);
    }
    // the proxy answers once the others do
    const end = Date.now() + 60_000;
    for (;;) {
      for (const c of children)
        if (c.exitCode !== null) throw new Error(`a Swift server exited (${c.exitCode}):\n${tailOf(join(log, "proxy.log"))}`);
      try {
        // /info needs no token: the proxy is up when it answers
        const r = await fetch(`${url}/info`, { signal: AbortSignal.timeout(2000) });
        if (r.status === 200) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > end) throw new Error("timed out waiting for the Swift proxy");
      await new Promise((r) => setTimeout(r, 250));
    }
    const account = `${url}/v1/AUTH_${os.demo.projectId}`;
    return {
      url,
      account,
      async asOwner(method, path, headers = {}, body) {
        return fetch(`${account}${path}`, {
          method,
          headers: { "X-Auth-Token": await os.demoToken(), ...headers },
          ...(body !== undefined ? { body } : {}),
        });
      },
      async ec2Credential() {
        const r = await fetch(`${os.authUrl}/users/${os.demo.userId}/credentials/OS-EC2`, {
          method: "POST",
          headers: { "X-Auth-Token": await os.demoToken(), "Content-Type": "application/json" },
          body: JSON.stringify({ tenant_id: os.demo.projectId }),
        });
        if (r.status !== 201) throw new Error(`EC2 credential: HTTP ${r.status} ${await r.text()}`);
        const { credential } = (await r.json()) as { credential: { access: string; secret: string } };
        return { access: credential.access, secret: credential.secret };
      },
      log: () => tailOf(join(log, "proxy.log")),
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
