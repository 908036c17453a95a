// The Gateway API's standard CRDs (v1.5.1, what NGINX Gateway Fabric 2.6.7 implements), which the
// masters apply before anything uses them: cert-manager crash-loops at start without the v1
// Gateway kinds, so they come first. About 1 MB of YAML — more than a master's user_data can hold
// inline — so Ignition downloads each file at first boot from the gateway-api repository at the
// release's commit (raw.githubusercontent.com serves the blob byte for byte) and refuses it
// unless its SHA-512 matches the pin below. test/addons.test.ts recomputes every pin from the
// files of that commit (test/crds/gateway-api-v1.5.1, copied from kubernetes-sigs/gateway-api,
// Apache-2.0).
export const GATEWAY_API = {
  version: "v1.5.1",
  commit: "e7677b70ae75d14a4448fba94870e7deea6cf0ad",
} as const;

/** Each standard-channel file (config/crd/standard/gateway.networking.k8s.io_<name>.yaml) and its SHA-512. */
export const GATEWAY_API_FILES: readonly (readonly [name: string, sha512: string])[] = [
  [
    "backendtlspolicies",
    "b59eb39d2be902bc631982fc11f2914478192e70ed97a79103ccd41ca9d91fca84e2528c804f6519d646a0499a2504c42655bbd6f32e1040c6129b2fc1120ae5",
  ],
  [
    "gatewayclasses",
    "ca7bb066fe712aeda2d64c081a943aa27aa2addcb14f0aa94b26e0eea5e069729e915e3cd37b41cfa1f9ea732b25ed6538b3ee0393a8b6a04fe63615322cf53b",
  ],
  [
    "gateways",
    "ebd48fb64968e242c646ba1474b263b2c6e07ea8967f394ed15c5e84c8c3ec4b5b7cbcec59b0f23610a03500479256b5650455e18438ca7c8463f76b1c351e5e",
  ],
  [
    "grpcroutes",
    "5b8c2f5377317f8c846a5088effd2b07fc4ade08ce0842633faefad7da155643a07509d53609bfcaa5e53f91b729d984b1dc09f53c52c8834bb2862fd2fd4f03",
  ],
  [
    "httproutes",
    "94f18ada93247db19e8691fa854901ea96d28220f1a96b42205b3a0cc58b1b7230f34b5b1462859391b89bb2e3efe270efad01a6c0e62271c9a2d64d59b38408",
  ],
  [
    "listenersets",
    "5c3c3d54341965e02f157108afc7ff4dc2b10c474667c20fdd0e0bd5e074f181beeaffb60734415abab33b6eaaa04f5d4d6640fbbbad01e8acf91b3f751955b6",
  ],
  [
    "referencegrants",
    "a91e0bf3e8be32d547c279aec646d74b3e8995b18742b1da38b3cdfc8e34251113b1e06897ea1f1d3a92c99610a2c80972a50b99ac6e988990d94e334868fd57",
  ],
  [
    "tlsroutes",
    "24b6cf990aca36a5a2994a3a710381c16efc1ff0a73488e259ee832a53e1421df1675f59aaaef64d6a183c0a0b15d2dd1700600cbcb0b5362928d528087754a0",
  ],
  [
    "vap_safeupgrades",
    "da5771ab8dac1c4ceb4a9212e234aa404507c7a327d5459359380aa8608d6f8dbcb57df510ae97d2049938bd13d9e63b5a9989e8ff0a2098471913e97ef4a0ba",
  ],
];

export const gatewayApiFile = (name: string): string => `gateway.networking.k8s.io_${name}.yaml`;

/** Where a master downloads one file from. */
export const gatewayApiUrl = (name: string): string =>
  `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${GATEWAY_API.commit}/config/crd/standard/${gatewayApiFile(name)}`;
