// A test's own etcd brought to how etcd-auth leaves a member: healthy, then etcd's root user
// (known by its client certificate's name) with the root role, and authentication on.
import { expect } from "vitest";

type Etcdctl = (args: string[]) => { status: number | null; stderr: string };

export async function healthyWithRootAuth(etcdctl: Etcdctl, seconds = 30): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (etcdctl(["endpoint", "health"]).status !== 0) {
    if (Date.now() > end) throw new Error("etcd did not become healthy");
    await new Promise((r) => setTimeout(r, 300));
  }
  for (const args of [
    ["user", "add", "root", "--no-password"],
    ["user", "grant-role", "root", "root"],
    ["auth", "enable"],
  ]) {
    const r = etcdctl(args);
    expect(r.status, r.stderr).toBe(0);
  }
}
