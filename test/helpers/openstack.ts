// A real Keystone (uwsgi) and Glance (eventlet, keystone auth, sqlite, file store) on 127.0.0.1,
// from Debian's packages, in a folder of their own, on free ports. Set up as an operator's cloud
// looks to a user: a "demo" project with a member user, an application credential, the image
// service in the catalog — in RegionOne, and in any extra regions the test names (pointing at a
// proxy, say). Both servers are stopped by PID, and the folder removed, by stop(), which the
// test calls in afterAll; an exit hook does it too if the test process dies first.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports";

export interface OpenStack {
  authUrl: string;
  glanceUrl: string;
  keystonePort: number;
  glancePort: number;
  demo: { username: string; password: string; project: string; projectId: string; userId: string };
  appCredential: { id: string; secret: string };
  /** an admin token, for looking behind the user's back */
  adminToken(): Promise<string>;
  /** a token of the demo user in the demo project (its owner: a member) */
  demoToken(): Promise<string>;
  /** every image in Glance (admin view, all projects) */
  images(): Promise<{ id: string; name: string; status: string; [k: string]: unknown }[]>;
  log(): string;
  stop(): Promise<void>;
}

const ADMIN_PW = "admin-test-pw";
const GLANCE_PW = "glance-test-pw";

async function waitHttp(url: string, child: ChildProcess, logFile: string, seconds = 90): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode}):\n${tail(logFile)}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${url}:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
  await gone;
  clearTimeout(timer);
}

export async function startOpenStack(
  dir: string,
  opts: { regions?: Record<string, number>; storageQuota?: string; glancePort?: number; glance?: boolean } = {},
): Promise<OpenStack> {
  const K = join(dir, "keystone");
  const G = join(dir, "glance");
  for (const d of [
    join(K, "log"),
    join(K, "fernet-keys"),
    join(K, "credential-keys"),
    join(G, "images"),
    join(G, "staging"),
    join(G, "tasks"),
    join(G, "log"),
    join(G, "lock"),
  ])
    mkdirSync(d, { recursive: true });
  const keystonePort = await freePort();
  const glancePort = opts.glancePort ?? (await freePort());
  const KS = `http://127.0.0.1:${keystonePort}`;
  const GL = `http://127.0.0.1:${glancePort}`;
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  };
  process.once("exit", killAll);

  try {
    writeFileSync(
      join(K, "keystone.conf"),
      `[DEFAULT]\nlog_dir = ${K}/log\nlog_file = keystone.log\n[database]\nconnection = sqlite:///${K}/keystone.sqlite\n[token]\nprovider = fernet\n` +
        `[fernet_tokens]\nkey_repository = ${K}/fernet-keys\n[fernet_receipts]\nkey_repository = ${K}/fernet-keys\n[credential]\nkey_repository = ${K}/credential-keys\n[catalog]\ndriver = sql\n`,
    );
    const km = (...args: string[]) =>
      execFileSync("keystone-manage", ["--config-file", join(K, "keystone.conf"), ...args], { stdio: "ignore" });
    km("db_sync");
    // without WAL, uwsgi's threads lock each other out of sqlite ("database is locked")
    execFileSync("sqlite3", [join(K, "keystone.sqlite"), "PRAGMA journal_mode=WAL;"], { stdio: "ignore" });
    km("fernet_setup", "--keystone-user", "root", "--keystone-group", "root");
    km("credential_setup", "--keystone-user", "root", "--keystone-group", "root");
    km(
      "bootstrap",
      "--bootstrap-password",
      ADMIN_PW,
      "--bootstrap-region-id",
      "RegionOne",
      ...["admin", "internal", "public"].flatMap((i) => [`--bootstrap-${i}-url`, `${KS}/v3/`]),
    );
    const keystone = spawn(
      "uwsgi",
      [
        "--plugin",
        "python3",
        "--http-socket",
        `127.0.0.1:${keystonePort}`,
        "--wsgi-file",
        "/usr/bin/keystone-wsgi-public",
        "--master",
        "--lazy-apps",
        "--processes",
        "1",
        "--threads",
        "4",
        "--die-on-term",
        "--need-app",
        "--add-header",
        "Connection: close",
        "--env",
        `OS_KEYSTONE_CONFIG_FILES=${K}/keystone.conf`,
        "--logto",
        `${K}/log/uwsgi.log`,
      ],
      { stdio: "ignore" },
    );
    children.push(keystone);
    await waitHttp(`${KS}/v3`, keystone, `${K}/log/uwsgi.log`);

    const token = async (user: string, password: string, project: string) => {
      const r = await fetch(`${KS}/v3/auth/tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          auth: {
            identity: { methods: ["password"], password: { user: { name: user, domain: { id: "default" }, password } } },
            scope: { project: { name: project, domain: { id: "default" } } },
          },
        }),
      });
      if (r.status !== 201) throw new Error(`token for ${user}: HTTP ${r.status} ${await r.text()}`);
      return r.headers.get("x-subject-token") as string;
    };
    const admin = await token("admin", ADMIN_PW, "admin");
    const ks = async (method: string, path: string, body?: unknown, tok = admin) => {
      const r = await fetch(`${KS}/v3/${path}`, {
        method,
        headers: { "X-Auth-Token": tok, "Content-Type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (r.status >= 300) throw new Error(`keystone ${method} ${path}: HTTP ${r.status} ${await r.text()}`);
      return r.status === 204 ? {} : ((await r.json()) as Record<string, Record<string, string> & { id: string }>);
    };
    const role = async (name: string) =>
      ((await ks("GET", `roles?name=${name}`)) as unknown as { roles: { id: string }[] }).roles[0]?.id as string;
    const service = (await ks("POST", "projects", { project: { name: "service", domain_id: "default" } })).project?.id as string;
    const glanceUser = (await ks("POST", "users", { user: { name: "glance", domain_id: "default", password: GLANCE_PW } })).user
      ?.id as string;
    await ks("PUT", `projects/${service}/users/${glanceUser}/roles/${await role("admin")}`);
    const demoProject = (await ks("POST", "projects", { project: { name: "demo", domain_id: "default" } })).project?.id as string;
    const demo = { username: "demo", password: "demo-test-pw", project: "demo", projectId: demoProject, userId: "" };
    demo.userId = (await ks("POST", "users", { user: { name: demo.username, domain_id: "default", password: demo.password } })).user
      ?.id as string;
    await ks("PUT", `projects/${demoProject}/users/${demo.userId}/roles/${await role("member")}`);
    const imageService = (await ks("POST", "services", { service: { name: "glance", type: "image" } })).service?.id as string;
    const regions: Record<string, number> = { RegionOne: glancePort, ...opts.regions };
    for (const [region, port] of Object.entries(regions)) {
      if (region !== "RegionOne") await ks("POST", "regions", { region: { id: region } });
      for (const iface of ["public", "internal", "admin"])
        await ks("POST", "endpoints", {
          endpoint: { service_id: imageService, interface: iface, url: `http://127.0.0.1:${port}`, region_id: region },
        });
    }
    const demoToken = await token(demo.username, demo.password, demo.project);
    const ac = (
      await ks("POST", `users/${demo.userId}/application_credentials`, { application_credential: { name: "slipway-test" } }, demoToken)
    ).application_credential as unknown as { id: string; secret: string };

    // Keystone alone when the test needs no image service (its catalog still names one)
    if (opts.glance !== false) {
      copyFileSync("/etc/glance/glance-api-paste.ini", join(G, "glance-api-paste.ini"));
      writeFileSync(
        join(G, "glance-api.conf"),
        `[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = ${glancePort}\nworkers = 0\nlog_file = ${G}/log/glance-api.log\nenabled_backends = fs:file\n` +
          (opts.storageQuota ? `user_storage_quota = ${opts.storageQuota}\n` : "") +
          `[database]\nconnection = sqlite:///${G}/glance.sqlite\n[paste_deploy]\nflavor = keystone\nconfig_file = ${G}/glance-api-paste.ini\n` +
          `[glance_store]\ndefault_backend = fs\n[fs]\nfilesystem_store_datadir = ${G}/images\n[os_glance_staging_store]\nfilesystem_store_datadir = ${G}/staging\n` +
          `[os_glance_tasks_store]\nfilesystem_store_datadir = ${G}/tasks\n[oslo_concurrency]\nlock_path = ${G}/lock\n` +
          `[keystone_authtoken]\nwww_authenticate_uri = ${KS}\nauth_url = ${KS}\nauth_type = password\nproject_domain_name = Default\nuser_domain_name = Default\n` +
          `project_name = service\nusername = glance\npassword = ${GLANCE_PW}\n`,
      );
      execFileSync("glance-manage", ["--config-file", join(G, "glance-api.conf"), "db_sync"], { stdio: "ignore" });
      execFileSync("sqlite3", [join(G, "glance.sqlite"), "PRAGMA journal_mode=WAL;"], { stdio: "ignore" });
      const glance = spawn("glance-api", ["--config-file", join(G, "glance-api.conf")], { stdio: ["ignore", "ignore", "ignore"] });
      children.push(glance);
      await waitHttp(`${GL}/healthcheck`, glance, `${G}/log/glance-api.log`);
    }

    const adminToken = () => token("admin", ADMIN_PW, "admin");
    return {
      authUrl: `${KS}/v3`,
      glanceUrl: GL,
      keystonePort,
      glancePort,
      demo,
      appCredential: { id: ac.id, secret: ac.secret },
      adminToken,
      demoToken: () => token(demo.username, demo.password, demo.project),
      async images() {
        const r = await fetch(`${GL}/v2/images?limit=1000&member_status=all&visibility=all`, {
          headers: { "X-Auth-Token": await adminToken() },
        });
        if (r.status !== 200) throw new Error(`glance list: HTTP ${r.status}`);
        return ((await r.json()) as { images: { id: string; name: string; status: string }[] }).images;
      },
      log: () => tail(`${G}/log/glance-api.log`),
      async stop() {
        for (const c of children.reverse()) await stopChild(c);
        process.removeListener("exit", killAll);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const c of children.reverse()) await stopChild(c);
    process.removeListener("exit", killAll);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
