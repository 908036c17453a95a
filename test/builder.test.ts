// The typed Ignition builder on its own: every kind of entry it can write, checked by
// ignition-validate and applied by the real ignition binary; conflicts between parts are caught.
import { readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Deferred, IgnitionBuilder } from "../bootstrap/ignition/builder";
import { renderLocal, renderPieces } from "../bootstrap/ignition/render";
import { tmp } from "./helpers/clusters";
import { ignitionApply, ignitionValidate } from "./helpers/ignition";

const work = tmp("slipway-builder-");
afterAll(() => work.cleanup());

function sample(): IgnitionBuilder {
  const b = new IgnitionBuilder();
  b.directory("/var/lib/thing", 0o700);
  b.file("/etc/motd", "hello\n");
  b.file("/opt/bin/tool", `#!/bin/sh\necho "\${HOME} %{x} \\\\ done"\n${"x".repeat(400)}\n`, { mode: 0o755 });
  b.link("/etc/localtime", "/usr/share/zoneinfo/UTC");
  b.unit("thing.service", "[Unit]\nDescription=thing\n[Service]\nExecStart=/opt/bin/tool\n[Install]\nWantedBy=multi-user.target\n", {
    enabled: true,
  });
  b.dropin("containerd.service", "10-slipway.conf", "[Service]\nLimitNOFILE=1048576\n");
  b.mask("locksmithd.service");
  b.filesystem({ device: "/dev/disk/by-label/DATA", format: "ext4", path: "/var/lib/data", label: "DATA", wipeFilesystem: false });
  b.user("core", ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJr3pXUs1xq0H8Ykq4t9cCQmO6xFq2vLkH2m2n0FZ1tQ a@b"]);
  return b;
}

describe("Ignition builder", () => {
  it("writes every kind of entry the spec 3.3.0 validator accepts", () => {
    const config = renderLocal(sample());
    expect(ignitionValidate(config)).toEqual({ ok: true, output: "" });
    const c = JSON.parse(config);
    expect(c.storage.filesystems).toEqual([
      { device: "/dev/disk/by-label/DATA", format: "ext4", path: "/var/lib/data", label: "DATA", wipeFilesystem: false },
    ]);
    // files are plain percent-encoded data URLs (user_data compresses the whole config at once)
    expect(c.storage.files.find((f: { path: string }) => f.path === "/etc/motd").contents).toEqual({ source: "data:,hello%0A" });
    const tool = c.storage.files.find((f: { path: string }) => f.path === "/opt/bin/tool");
    expect(tool.contents.source).toMatch(/^data:,%23%21%2Fbin%2Fsh%0Aecho%20%22%24%7BHOME%7D%20%25%7Bx%7D/);
  });

  it("applies with the real ignition binary: files, modes, links, units, drop-ins, masks, users", () => {
    const b = sample();
    b.filesystems.length = 0; // the disks stage needs a real disk; the files stage is what runs here
    const root = join(work.dir, "root");
    ignitionApply(renderLocal(b), root);
    expect(readFileSync(join(root, "opt/bin/tool"), "utf8")).toContain('echo "${HOME} %{x} \\\\ done"');
    expect(statSync(join(root, "opt/bin/tool")).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, "var/lib/thing")).mode & 0o777).toBe(0o700);
    expect(readlinkSync(join(root, "etc/localtime"))).toBe("/usr/share/zoneinfo/UTC");
    expect(readFileSync(join(root, "etc/systemd/system/containerd.service.d/10-slipway.conf"), "utf8")).toContain("LimitNOFILE=1048576");
    expect(readlinkSync(join(root, "etc/systemd/system/locksmithd.service"))).toBe("/dev/null");
    expect(readlinkSync(join(root, "etc/systemd/system/multi-user.target.wants/thing.service"))).toBe("/etc/systemd/system/thing.service");
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toMatch(/^core:/m);
  });

  it("is deterministic whatever order parts run in", () => {
    const a = new IgnitionBuilder().file("/b", "2").file("/a", "1").unit("z.service", "[Unit]\n").unit("a.service", "[Unit]\n");
    const b = new IgnitionBuilder().unit("a.service", "[Unit]\n").file("/a", "1").unit("z.service", "[Unit]\n").file("/b", "2");
    expect(renderLocal(a)).toBe(renderLocal(b));
  });

  it("refuses what Ignition would refuse or what two parts would fight over", () => {
    expect(() => new IgnitionBuilder().file("/a", "1").file("/a", "2")).toThrow("two parts both write /a");
    expect(() => new IgnitionBuilder().file("etc/x", "1")).toThrow("Ignition paths must be absolute: etc/x");
    expect(() => new IgnitionBuilder().unit("x.service", "a").unit("x.service", "b")).toThrow("two parts both define x.service");
    expect(() => new IgnitionBuilder().dropin("x.service", "a.conf", "").dropin("x.service", "a.conf", "")).toThrow(
      "two parts both write x.service.d/a.conf",
    );
    expect(() => new IgnitionBuilder().unit("noextension", "")).toThrow("not a systemd unit name: noextension");
    expect(() => new IgnitionBuilder().directory("/d", 0o700).directory("/d", 0o755)).toThrow("directory /d wanted with modes 700 and 755");
    expect(() => new IgnitionBuilder().remoteFile("/x", "https://example.com/x", "sha256-abc")).toThrow("hash must be sha512-");
    expect(() => renderLocal(new IgnitionBuilder().file("/k", new Deferred("${x}", 10, "a key")))).toThrow(
      "/k: a key is only known at apply time",
    );
  });

  it("leaves deferred values as holes with their size bounds", () => {
    const pieces = renderPieces(new IgnitionBuilder().file("/k", ["A=", new Deferred("${tls.key}", 300, "a key", "base64"), "\n"]));
    const holes = pieces.filter((p) => typeof p !== "string");
    expect(holes).toHaveLength(1);
    expect(holes[0]).toMatchObject({ rawMaxBytes: 2 + 300 + 1 });
  });
});
