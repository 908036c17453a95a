// Bad cluster files: every kind of mistake gets a message naming the file, line, column, field
// and reason. (The CLI side — exit codes, no stack trace, nothing written — is in cli.test.ts.)
import { describe, expect, it } from "vitest";
import { ClusterFileError, loadCluster, parseCluster } from "../clusters/model/load";
import { DEMO_FILE } from "./helpers/clusters";

const MIN = "name: demo\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\n";

function problemsOf(text: string) {
  try {
    parseCluster(text, "bad.yaml");
  } catch (e) {
    if (e instanceof ClusterFileError) return e.problems;
    throw e;
  }
  throw new Error("expected the file to be rejected");
}

interface Case {
  text: string;
  line: number;
  col: number;
  path: string;
  message: RegExp;
}

const cases: Record<string, Case> = {
  // an unclosed bracket is reported where it opens
  "malformed YAML": { text: `${MIN}etcd:\n  count: [3\n`, line: 5, col: 10, path: "", message: /^YAML syntax: this \[ is never closed/ },
  "a tab-indented line": { text: `${MIN}etcd:\n\tcount: 3\n`, line: 5, col: 1, path: "", message: /^YAML syntax: .*tab/i },
  "a duplicate key": { text: `${MIN}name: other\n`, line: 4, col: 1, path: "", message: /YAML syntax: Map keys must be unique/ },
  "an unknown top-level key": {
    text: `${MIN}workerz: []\n`,
    line: 4,
    col: 1,
    path: "workerz",
    message: /unknown field "workerz"; did you mean "workers"\?/,
  },
  "an unknown nested key": {
    text: `${MIN}etcd:\n  flavour: m1.small\n`,
    line: 5,
    col: 3,
    path: "etcd.flavour",
    message: /did you mean "flavor"/,
  },
  "a field of the other cloud": {
    text: `${MIN}workers:\n  - name: a\n    count: 1\n    instanceType: t3.large\n`,
    line: 7,
    col: 5,
    path: "workers[0].instanceType",
    message: /belongs to cloud: aws/,
  },
  "a wrong type": {
    text: `${MIN}masters:\n  count: three\n`,
    line: 5,
    col: 10,
    path: "masters.count",
    message: /must be a number, not text "three"/,
  },
  "a fractional count": { text: `${MIN}masters:\n  count: 1.5\n`, line: 5, col: 10, path: "masters.count", message: /whole number/ },
  "a list where a mapping belongs": {
    text: `${MIN}etcd: [3]\n`,
    line: 4,
    col: 7,
    path: "etcd",
    message: /must be a mapping of fields, not a list/,
  },
  "an even etcd count": {
    text: `${MIN}etcd:\n  count: 4\n`,
    line: 5,
    col: 10,
    path: "etcd.count",
    message: /must be 1, 3, 5 or 7, not 4: an odd number/,
  },
  "a zero etcd count": { text: `${MIN}etcd:\n  count: 0\n`, line: 5, col: 10, path: "etcd.count", message: /must be 1, 3, 5 or 7, not 0/ },
  "an unknown cloud": {
    text: "name: demo\ncloud: gcp\nadminCidrs: [192.0.2.0/24]\n",
    line: 2,
    col: 8,
    path: "cloud",
    message: /must be one of "openstack", "aws", not text "gcp"/,
  },
  // a field the file does not have at all has no place in it (not line 1, which is about something else)
  "a missing cloud": {
    text: "name: demo\nadminCidrs: [192.0.2.0/24]\n",
    line: 0,
    col: 0,
    path: "cloud",
    message: /is required: one of "openstack", "aws"/,
  },
  "a missing required field": {
    text: "name: demo\ncloud: openstack\n",
    line: 0,
    col: 0,
    path: "adminCidrs",
    message: /is required \(a list\)/,
  },
  "a name that is not a DNS-1123 label": {
    text: "name: Demo_1\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\n",
    line: 1,
    col: 7,
    path: "name",
    message: /DNS-1123 label/,
  },
  "a pool name that is not a DNS-1123 label": {
    text: `${MIN}workers:\n  - name: big-\n    count: 1\n`,
    line: 5,
    col: 11,
    path: "workers[0].name",
    message: /DNS-1123 label/,
  },
  "duplicate pool names": {
    text: `${MIN}workers:\n  - name: a\n    count: 1\n  - name: a\n    count: 2\n`,
    line: 7,
    col: 11,
    path: "workers[1].name",
    message: /duplicate pool name "a" \(also workers\[0\]\.name\)/,
  },
  "a pool named like a role": {
    text: `${MIN}workers:\n  - name: etcd\n    count: 1\n`,
    line: 5,
    col: 11,
    path: "workers[0].name",
    message: /reserved/,
  },
  "overlapping node and pod CIDRs": {
    text: `${MIN}network:\n  nodes: 10.0.0.0/16\n  pods: 10.0.128.0/17\n`,
    line: 6,
    col: 9,
    path: "network.pods",
    message: /10\.0\.128\.0\/17 overlaps network\.nodes \(10\.0\.0\.0\/16\)/,
  },
  "overlapping pod and service CIDRs": {
    // services is not in the file (its default overlaps): point at the network key, say it is the default
    text: `${MIN}network:\n  pods: 10.96.0.0/16\n`,
    line: 4,
    col: 1,
    path: "network.services",
    message: /10\.96\.0\.0\/12 overlaps network\.pods .*\(network\.services is not in the file: its default, "10\.96\.0\.0\/12", applies\)/,
  },
  "a CIDR with host bits": {
    text: `${MIN}network:\n  nodes: 10.0.0.1/16\n`,
    line: 5,
    col: 10,
    path: "network.nodes",
    message: /host bits set; did you mean 10\.0\.0\.0\/16\?/,
  },
  "more nodes than the node subnet holds": {
    text: `${MIN}network:\n  nodes: 10.0.0.0/24\nworkers:\n  - name: a\n    count: 10\n  - name: b\n    count: 10\n`,
    line: 5,
    col: 10,
    path: "network.nodes",
    message: /10\.0\.0\.0\/24 is too small: the address plan needs 577 addresses/,
  },
  "a pool larger than its reserved addresses": {
    text: `${MIN}workers:\n  - name: a\n    count: 20\n    maxCount: 16\n`,
    line: 6,
    col: 12,
    path: "workers[0].count",
    message: /20 machines do not fit the pool's 16 reserved addresses/,
  },
  "more machines than pod subnets": {
    text: `${MIN}network:\n  pods: 10.244.0.0/22\n`,
    line: 5,
    col: 9,
    path: "network.pods",
    message: /holds 4 node pod subnets of \/24, but the cluster has 9 machines/,
  },
  "an empty admin CIDR list": {
    text: "name: demo\ncloud: openstack\nadminCidrs: []\n",
    line: 3,
    col: 13,
    path: "adminCidrs",
    message: /needs at least one CIDR/,
  },
  "a bad SSH key": {
    text: `${MIN}ssh:\n  authorizedKeys: ["hello"]\n`,
    line: 5,
    col: 20,
    path: "ssh.authorizedKeys[0]",
    message: /OpenSSH public key/,
  },
  "two image selectors": {
    text: `${MIN}image:\n  name: flatcar\n  id: 0f7f2b1e-7a8a-4a52-9b55-9e7a1c1b7a11\n`,
    line: 5,
    col: 3,
    path: "image",
    message: /give only one of name, id or properties/,
  },
  "an absolute local state path": {
    text: `${MIN}backend:\n  type: local\n  path: /var/state.tfstate\n`,
    line: 6,
    col: 9,
    path: "backend.path",
    message: /must be relative to the stack folder/,
  },
  "an unknown backend type": {
    text: `${MIN}backend:\n  type: consul\n`,
    line: 5,
    col: 9,
    path: "backend.type",
    message: /must be one of "local", "s3", "http", not text "consul"/,
  },
  "an empty file": { text: "", line: 1, col: 1, path: "", message: /the file is empty/ },
  "a file that is a list": { text: "- name: demo\n", line: 1, col: 1, path: "", message: /is not a mapping of fields/ },
};

describe("bad cluster files are reported at the right place", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const [first] = problemsOf(c.text);
      expect(first).toBeDefined();
      expect({ line: first?.line, col: first?.col, path: first?.path }).toEqual({ line: c.line, col: c.col, path: c.path });
      expect(first?.message).toMatch(c.message);
    });
  }

  it("formats each problem as file:line:col: field: reason", () => {
    try {
      parseCluster(cases["an even etcd count"]?.text ?? "", "clusters/x.yaml");
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe(
        "clusters/x.yaml:5:10: etcd.count: must be 1, 3, 5 or 7, not 4: an odd number of members keeps a quorum (n members tolerate (n-1)/2 lost members)",
      );
    }
  });

  it("reports every problem of a file, in file order", () => {
    const ps = problemsOf("name: Bad\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\netcd:\n  count: 2\nmasters:\n  count: x\n");
    expect(ps.map((p) => p.path)).toEqual(["name", "etcd.count", "masters.count"]);
  });

  it("a missing file", () => {
    expect(() => loadCluster("/nonexistent/cluster.yaml")).toThrow("/nonexistent/cluster.yaml: cannot read cluster file: no such file");
  });

  it("a directory instead of a file", () => {
    expect(() => loadCluster("/tmp")).toThrow("/tmp: cannot read cluster file: is a directory, not a cluster file");
  });

  it("accepts the demo and fills defaults", () => {
    const c = loadCluster(DEMO_FILE);
    expect(c.config.cloud).toBe("openstack");
    expect(c.config.pki).toEqual({ caValidityDays: 3650, certValidityDays: 1095, renewBeforeDays: 30 });
    const minimal = parseCluster(MIN, "min.yaml");
    expect(minimal.config.workers).toEqual([{ name: "general", count: 3, flavor: "m1.large", maxCount: 256 }]);
    expect(minimal.config.etcd.count).toBe(3);
    expect(minimal.config.backend).toEqual({ type: "local" });
  });
});
